using System.Text.Json.Serialization;
using PgMedic.Core.Activity;
using PgMedic.Core.Common;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Probing;
using PgMedic.Core.Statements;

namespace PgMedic.Cli.Output;

/// <summary>Source-generated JSON for every document the CLI prints (camelCase, stable, documented in docs/commands/).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ProbeResult))]
[JsonSerializable(typeof(PgMedic.Core.Reporting.IncidentReport))]
[JsonSerializable(typeof(DiagnosisReport))]
[JsonSerializable(typeof(PgMedic.Postgres.Remediation.RemediationReport))]
[JsonSerializable(typeof(PgMedic.Cli.Remediation.HooksFile))]
[JsonSerializable(typeof(ActivityReport))]
[JsonSerializable(typeof(SlowQueryReport))]
[JsonSerializable(typeof(PgMedic.Cli.Capacity.AdviseReport))]
[JsonSerializable(typeof(PgMedic.Core.Logs.LogReport))]
[JsonSerializable(typeof(PgMedic.Cli.AppPools.PoolsReport))]
[JsonSerializable(typeof(PgMedic.Cli.Slo.SloReport))]
[JsonSerializable(typeof(PgMedic.Cli.History.HistoryReport))]
[JsonSerializable(typeof(PgMedic.Monitor.Api.SloView))]
[JsonSerializable(typeof(PgMedic.Core.SessionHistory.ActivityMoment))]
[JsonSerializable(typeof(PgMedic.Core.Capacity.CapacityHistory))]
[JsonSerializable(typeof(PgMedic.Core.Reporting.HistoryEvidence))]
[JsonSerializable(typeof(System.Text.Json.JsonElement))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
    /// <summary>This context in PgMedic's JSON dialect (docs/json.md): what every command prints. <see cref="Default"/> escapes more than JSON needs.</summary>
    public static CliJsonContext Dialect => _dialect ??= new(JsonDialect.Options(Default.Options));

    // Built on first use: a static initializer could run before the generated Default is set.
    private static CliJsonContext? _dialect;
}
