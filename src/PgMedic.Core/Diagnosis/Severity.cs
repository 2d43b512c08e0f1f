using System.Text.Json.Serialization;

namespace PgMedic.Core.Diagnosis;

[JsonConverter(typeof(JsonStringEnumConverter<Severity>))]
public enum Severity
{
    [JsonStringEnumMemberName("info")]
    Info,

    [JsonStringEnumMemberName("warning")]
    Warning,

    [JsonStringEnumMemberName("critical")]
    Critical,
}

/// <summary>The verdict of a whole diagnosis: the worst finding, or unknown when PgMedic could not look.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DiagnosisStatus>))]
public enum DiagnosisStatus
{
    [JsonStringEnumMemberName("ok")]
    Ok,

    [JsonStringEnumMemberName("warning")]
    Warning,

    [JsonStringEnumMemberName("critical")]
    Critical,

    [JsonStringEnumMemberName("unknown")]
    Unknown,
}
