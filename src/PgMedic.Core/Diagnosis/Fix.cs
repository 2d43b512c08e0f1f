using System.Text.Json.Serialization;

namespace PgMedic.Core.Diagnosis;

/// <summary>The PgMedic verb a finding's fix runs.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FixVerb>))]
public enum FixVerb
{
    [JsonStringEnumMemberName("terminate")]
    Terminate,

    [JsonStringEnumMemberName("cancel")]
    Cancel,

    [JsonStringEnumMemberName("activity")]
    Activity,

    [JsonStringEnumMemberName("advise")]
    Advise,

    [JsonStringEnumMemberName("diagnose")]
    Diagnose,

    [JsonStringEnumMemberName("heal")]
    Heal,
}

/// <summary>
/// The options of a fix as data: each door renders them its own way (the CLI as a command line, the
/// monitor as JSON fields, the dashboard as a label). Durations are in the duration grammar (<c>5m</c>).
/// </summary>
public sealed record FixOptions
{
    /// <summary>Sessions in this state: idle, idle-in-transaction, active.</summary>
    public string? State { get; init; }

    /// <summary>In that state at least this long.</summary>
    public string? IdleFor { get; init; }

    /// <summary>Queries running at least this long.</summary>
    public string? RunningFor { get; init; }

    /// <summary>The heads of lock chains (with <see cref="WaitingFor"/>).</summary>
    public bool Blocking { get; init; }

    /// <summary>Only the session with this backend PID: the head of one chain, never its waiters.</summary>
    public int? Pid { get; init; }

    public string? WaitingFor { get; init; }

    public string? Application { get; init; }

    public string? User { get; init; }

    public string? Database { get; init; }

    /// <summary>Connect as a superuser: reserved slots still admit one when the others are full.</summary>
    public bool AsSuperuser { get; init; }

    /// <summary>The server behind a pooler, not the pooler itself.</summary>
    public bool ServerTarget { get; init; }

    /// <summary>A capacity question: how many workers run the pools (the user supplies the number).</summary>
    public bool Workers { get; init; }

    /// <summary>The format <c>advise</c> emits (env, pgbouncer, …).</summary>
    public string? Emit { get; init; }
}

/// <summary>
/// How to fix a finding: a PgMedic verb with its options, then advice in plain words (SQL, a setting),
/// never a door's flag spelling. Either part may be missing.
/// </summary>
public sealed record Fix(FixVerb? Verb, FixOptions? Options, string? Advice)
{
    public static Fix Run(FixVerb verb, FixOptions options, string? advice = null) => new(verb, options, advice);

    public static Fix Say(string advice) => new(null, null, advice);
}
