using System.Text.Json;
using System.Text.Json.Serialization;
using PgMedic.Core.Alerts;
using PgMedic.Core.Common;
using PgMedic.Monitor.Api;
using PgMedic.Monitor.History;
using PgMedic.Monitor.Notifications;

namespace PgMedic.Monitor;

/// <summary>Source-generated JSON for the API, history columns and webhook bodies (camelCase, documented in docs/commands/serve.md).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(HealthView))]
[JsonSerializable(typeof(IReadOnlyList<TargetView>))]
[JsonSerializable(typeof(TargetView))]
[JsonSerializable(typeof(SnapshotView))]
[JsonSerializable(typeof(HistoryView))]
[JsonSerializable(typeof(IReadOnlyList<AlertView>))]
[JsonSerializable(typeof(IReadOnlyList<AlertEventView>))]
[JsonSerializable(typeof(IReadOnlyList<IncidentSummary>))]
[JsonSerializable(typeof(IncidentView))]
[JsonSerializable(typeof(PgMedic.Postgres.Remediation.RemediationReport))]
[JsonSerializable(typeof(HealRequest))]
[JsonSerializable(typeof(DashboardConfigView))]
[JsonSerializable(typeof(SlowQueriesView))]
[JsonSerializable(typeof(SloView))]
[JsonSerializable(typeof(PgMedic.Core.SessionHistory.ActivityMoment))]
[JsonSerializable(typeof(PgMedic.Core.Capacity.CapacityHistory))]
[JsonSerializable(typeof(PgMedic.Core.Reporting.HistoryEvidence))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, int>))]
[JsonSerializable(typeof(IReadOnlyList<AppConnections>))]
[JsonSerializable(typeof(IReadOnlyList<SampleFinding>))]
[JsonSerializable(typeof(IncidentBody))]
[JsonSerializable(typeof(GenericWebhookBody))]
[JsonSerializable(typeof(SlackWebhookBody))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Http.HttpValidationProblemDetails))]
internal sealed partial class MonitorJsonContext : JsonSerializerContext
{
    /// <summary>This context in PgMedic's JSON dialect (docs/json.md): what the API, history and webhooks write. <see cref="Default"/> escapes more than JSON needs.</summary>
    public static MonitorJsonContext Dialect => _dialect ??= new(JsonDialect.Options(Default.Options));

    // Built on first use: a static initializer could run before the generated Default is set.
    private static MonitorJsonContext? _dialect;
}
