using System.Text.Json.Serialization;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Probing;

namespace PgMedic.Cli.Output;

/// <summary>Source-generated JSON for every document the CLI prints (camelCase, stable, documented in docs/json.md).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ProbeResult))]
[JsonSerializable(typeof(DiagnosisReport))]
[JsonSerializable(typeof(PgMedic.Cli.Advise.AdviseReport))]
[JsonSerializable(typeof(PgMedic.Core.Logs.LogReport))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
