using System.Text.Json.Serialization;
using PgMedic.Core.Common;
using PgMedic.Core.Remediation;

namespace PgMedic.Postgres.Remediation;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AuditRecord))]
public sealed partial class AuditJsonContext : JsonSerializerContext
{
    /// <summary>This context in PgMedic's JSON dialect (docs/json.md). The field names are the audit log's own, kept so older files still read.</summary>
    public static AuditJsonContext Dialect => _dialect ??= new(JsonDialect.Options(Default.Options));

    // Built on first use: a static initializer could run before the generated Default is set.
    private static AuditJsonContext? _dialect;
}
