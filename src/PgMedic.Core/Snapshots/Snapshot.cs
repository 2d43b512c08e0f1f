namespace PgMedic.Core.Snapshots;

/// <summary>
/// Everything the diagnosis needs, read in one go over one connection. Ages are measured against
/// <see cref="TakenAt"/>, the server's own clock, so a skewed client clock changes nothing.
/// </summary>
public sealed record Snapshot
{
    public required DateTimeOffset TakenAt { get; init; }

    public required ServerInfo Server { get; init; }

    /// <summary>Every row of pg_stat_activity except PgMedic's own collector connection.</summary>
    public required IReadOnlyList<SessionInfo> Sessions { get; init; }

    public IReadOnlyList<DatabaseLimit> Databases { get; init; } = [];

    public IReadOnlyList<RoleLimit> Roles { get; init; } = [];

    public required SessionTimeouts Timeouts { get; init; }

    /// <summary>PgMedic's own backend, left out of <see cref="Sessions"/> and counted only when <see cref="CollectorCounted"/>.</summary>
    public int CollectorPid { get; init; }

    /// <summary>
    /// The collector's connection stays open between snapshots (the monitor's lifeline), so it holds a slot
    /// like any session and usage counts it: a full server reads 100 %, not one slot free. A one-off
    /// collector (diagnose, check) is gone a moment later and is not counted.
    /// </summary>
    public bool CollectorCounted { get; init; }

    /// <summary>The database the collector is connected to: the target's database.</summary>
    public string? TargetDatabase { get; init; }

    public required Visibility Visibility { get; init; }

    public double CollectMilliseconds { get; init; }

    /// <summary>What lock waits were measured from: <c>waitstart</c> on PostgreSQL 14+, else <c>query_start</c>.</summary>
    public LockWaitClock LockWaitClock { get; init; } = LockWaitClock.WaitStart;

    /// <summary>Top's header counters, read only when asked for (<c>pgmedic top</c>); null otherwise.</summary>
    public ServerCounters? Counters { get; init; }

    public IEnumerable<SessionInfo> ClientBackends => Sessions.Where(s => s.IsClientBackend);

    /// <summary>This snapshot without one backend (PgMedic's own probe, read while it logged in); itself when that backend is not in it.</summary>
    public Snapshot Without(int? pid) =>
        pid is { } p && Sessions.Any(s => s.Pid == p) ? this with { Sessions = Sessions.Where(s => s.Pid != p).ToList() } : this;
}

/// <summary>Cumulative counters for a live header: transactions so far (for tps between two frames) and when the server started.</summary>
/// <param name="Transactions">Sum of <c>xact_commit + xact_rollback</c> over <c>pg_stat_database</c>.</param>
public sealed record ServerCounters(long Transactions, DateTimeOffset StartedAt);

/// <param name="Limit"><c>datconnlimit</c>; -1 means no limit.</param>
public sealed record DatabaseLimit(string Name, int Limit);

/// <param name="Limit"><c>rolconnlimit</c>; -1 means no limit.</param>
public sealed record RoleLimit(string Name, int Limit, bool IsSuperuser);

/// <summary>The server-side timeouts that stop pile-ups on their own; zero means off.</summary>
public sealed record SessionTimeouts(TimeSpan IdleInTransactionSessionTimeout, TimeSpan IdleSessionTimeout, TimeSpan StatementTimeout);

/// <summary>What the collector's role could not see (without superuser or pg_read_all_stats, other roles' type, state and query are hidden).</summary>
public sealed record Visibility(bool SeesAllSessions, IReadOnlyList<string> Limitations)
{
    /// <summary>The role the collector connected as (<c>current_user</c>), so advice can name it in a <c>GRANT</c>; null when not read.</summary>
    public string? Role { get; init; }

    /// <summary>The grant that lets this role see every session (<c>pg_monitor</c> includes <c>pg_read_all_stats</c>).</summary>
    public string Grant() => $"GRANT pg_monitor TO {QuotedRole()}";

    private string QuotedRole() => Role switch
    {
        null or "" => "<this role>",
        { } r when r.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_') && !char.IsAsciiDigit(r[0]) => r,
        { } r => "\"" + r.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"",
    };
}
