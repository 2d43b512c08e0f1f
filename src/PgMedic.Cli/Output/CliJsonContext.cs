using System.Text.Json.Serialization;
using PgMedic.Core.Diagnosis;
using PgMedic.Cli.Remediation;
using PgMedic.Core.Probing;

namespace PgMedic.Cli.Output;

/// <summary>Source-generated JSON for every document the CLI prints (camelCase, stable, documented in docs/json.md).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ProbeResult))]
[JsonSerializable(typeof(DiagnosisReport))]
[JsonSerializable(typeof(RemediationReport))]
[JsonSerializable(typeof(HooksFile))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
