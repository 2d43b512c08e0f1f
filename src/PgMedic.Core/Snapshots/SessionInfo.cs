namespace PgMedic.Core.Snapshots;

/// <summary>One row of <c>pg_stat_activity</c>, with the role's superuser flag joined in.</summary>
public sealed record SessionInfo
{
    public required int Pid { get; init; }

    /// <summary><c>client backend</c>, <c>autovacuum worker</c>, <c>walsender</c>, <c>parallel worker</c>, …</summary>
    public required string BackendType { get; init; }

    /// <summary><c>active</c>, <c>idle</c>, <c>idle in transaction</c>, <c>idle in transaction (aborted)</c>, …; null when hidden or for background processes.</summary>
    public string? State { get; init; }

    public string? Database { get; init; }

    public string? User { get; init; }

    public bool IsSuperuser { get; init; }

    /// <summary>The session's role may start a walsender (it is a superuser or has <c>REPLICATION</c>).</summary>
    public bool CanReplicate { get; init; }

    public string? ApplicationName { get; init; }

    public string? ClientAddress { get; init; }

    public int? ClientPort { get; init; }

    public DateTimeOffset? BackendStart { get; init; }

    public DateTimeOffset? TransactionStart { get; init; }

    public DateTimeOffset? QueryStart { get; init; }

    public DateTimeOffset? StateChange { get; init; }

    public string? WaitEventType { get; init; }

    public string? WaitEvent { get; init; }

    /// <summary>The last or current query, truncated; null when this role may not see it.</summary>
    public string? Query { get; init; }

    /// <summary>For parallel workers, the leader's PID.</summary>
    public int? LeaderPid { get; init; }

    /// <summary>
    /// When the session began waiting for a heavyweight lock, from <c>pg_locks.waitstart</c> (PostgreSQL 14+);
    /// null when it waits for none, on older servers, and for the instant before the server records it.
    /// </summary>
    public DateTimeOffset? WaitStart { get; init; }

    /// <summary>PIDs this session waits for, from <c>pg_blocking_pids()</c> (only asked for sessions waiting on a lock).</summary>
    public IReadOnlyList<int> BlockedBy { get; init; } = [];

    public bool IsClientBackend => BackendType == BackendTypes.ClientBackend;

    /// <summary>PostgreSQL hid this session's type (and state, query, timings) from the collector's role.</summary>
    public bool IsTypeHidden => BackendType == BackendTypes.Hidden;

    public bool IsWaitingOnLock => WaitEventType == "Lock";

    /// <summary>Queued behind another session's lock: waiting, not running, so cancelling it frees nothing.</summary>
    public bool IsLockWaiter => BlockedBy.Count > 0;

    /// <summary>How long the session has been in its current state, as of <paramref name="now"/>.</summary>
    public TimeSpan? StateAge(DateTimeOffset now) => Age(StateChange, now);

    public TimeSpan? TransactionAge(DateTimeOffset now) => Age(TransactionStart, now);

    public TimeSpan? QueryAge(DateTimeOffset now) => Age(QueryStart, now);

    public TimeSpan? ConnectionAge(DateTimeOffset now) => Age(BackendStart, now);

    /// <summary>
    /// How long the session has waited for its lock: from <see cref="WaitStart"/> when the server gave it,
    /// else from <c>query_start</c> (servers before 14, see <see cref="LockWaitClock"/>); null when it waits for no lock.
    /// </summary>
    public TimeSpan? LockWaitAge(DateTimeOffset now) =>
        !IsLockWaiter && !IsWaitingOnLock ? null : Age(WaitStart ?? QueryStart, now);

    private static TimeSpan? Age(DateTimeOffset? since, DateTimeOffset now) =>
        since is { } s ? (now - s < TimeSpan.Zero ? TimeSpan.Zero : now - s) : null;
}
