namespace PgMedic.Core.Snapshots;

/// <summary>Values of <c>pg_stat_activity.backend_type</c> and <c>state</c> that rules depend on.</summary>
public static class BackendTypes
{
    public const string ClientBackend = "client backend";
    public const string Walsender = "walsender";
    public const string AutovacuumWorker = "autovacuum worker";

    /// <summary>
    /// What the collector records when PostgreSQL hides <c>backend_type</c>: a role without
    /// <c>pg_read_all_stats</c> sees only the PID, database, role and application of other roles' sessions.
    /// </summary>
    public const string Hidden = "";
}

public static class SessionStates
{
    public const string Active = "active";
    public const string Idle = "idle";
    public const string IdleInTransaction = "idle in transaction";
    public const string IdleInTransactionAborted = "idle in transaction (aborted)";
    public const string FastpathFunctionCall = "fastpath function call";
    public const string Disabled = "disabled";

    /// <summary>State shown for sessions this role may not see the details of.</summary>
    public const string Hidden = "hidden";

    public static bool IsIdleInTransaction(string? state) => state is IdleInTransaction or IdleInTransactionAborted;
}
