using System.Text.Json.Serialization;

namespace PgMedic.Core.Snapshots;

/// <summary>What a lock wait is measured from.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LockWaitClock>))]
public enum LockWaitClock
{
    /// <summary><c>pg_locks.waitstart</c> (PostgreSQL 14+): when the session began waiting for the lock.</summary>
    [JsonStringEnumMemberName("waitstart")]
    WaitStart,

    /// <summary>
    /// <c>pg_stat_activity.query_start</c> (before PostgreSQL 14): when the waiting statement started, which
    /// overstates the wait by whatever the statement did before it queued.
    /// </summary>
    [JsonStringEnumMemberName("query_start")]
    QueryStart,
}

/// <summary>Which clock a server offers for lock waits, and how to say so.</summary>
public static class LockWaitClocks
{
    /// <summary><c>server_version_num</c> of the first release with <c>pg_locks.waitstart</c>.</summary>
    public const int WaitStartSince = 140000;

    public static LockWaitClock For(int serverVersionNumber) =>
        serverVersionNumber >= WaitStartSince ? LockWaitClock.WaitStart : LockWaitClock.QueryStart;

    /// <summary>The caveat shown beside a lock wait measured without <c>waitstart</c>; null when there is none.</summary>
    public static string? Caveat(LockWaitClock clock) => clock == LockWaitClock.QueryStart
        ? "lock waits measured from query_start (PostgreSQL before 14 has no pg_locks.waitstart): they include what the statement did before it queued"
        : null;
}
