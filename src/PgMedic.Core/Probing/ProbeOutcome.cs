using System.Text.Json.Serialization;

namespace PgMedic.Core.Probing;

/// <summary>What happened when PgMedic tried one connection and <c>SELECT 1</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProbeOutcome>))]
public enum ProbeOutcome
{
    /// <summary>Connected and <c>SELECT 1</c> returned.</summary>
    [JsonStringEnumMemberName("accepting")]
    Accepting,

    /// <summary>The server answered but refused this login.</summary>
    [JsonStringEnumMemberName("rejecting")]
    Rejecting,

    /// <summary>No PostgreSQL answer: refused, timed out, name not found, TLS failed.</summary>
    [JsonStringEnumMemberName("no-response")]
    NoResponse,

    /// <summary>PgMedic did not try (bad input).</summary>
    [JsonStringEnumMemberName("no-attempt")]
    NoAttempt,
}
