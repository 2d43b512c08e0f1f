using System.Text.Json.Serialization;
using PgMedic.Core.Probing;

namespace PgMedic.Cli.Output;

/// <summary>Source-generated JSON for every document the CLI prints (camelCase, stable, documented in docs/json.md).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ProbeResult))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
