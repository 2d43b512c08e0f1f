using PgMedic.Core.Diagnosis;

namespace PgMedic.Core.Logs;

/// <summary>Who writes a kind of line: the PostgreSQL server, an application's driver or pool, or PgBouncer.</summary>
public static class LogSources
{
    public const string Server = "postgresql";
    public const string Application = "application";
    public const string Pooler = "pgbouncer";
}

/// <summary>One kind of connection trouble recognised in logs.</summary>
/// <param name="Code">Stable code (JSON contract, docs/commands/logs.md).</param>
/// <param name="Needles">Texts that identify the line, matched case-insensitively.</param>
/// <param name="Exclude">A line containing one of these is a duplicate report of the same event (PgBouncer logs "closing because" and "pooler error" for one).</param>
public sealed record LogKind(
    string Code,
    string Title,
    string Source,
    Severity Severity,
    string RunbookStep,
    string Advice,
    IReadOnlyList<string> Needles,
    IReadOnlyList<string>? Exclude = null);

/// <summary>Every kind <c>pgmedic logs</c> looks for, with the runbook step each points to.</summary>
public static class LogKinds
{
    public static IReadOnlyList<LogKind> All { get; } =
    [
        new("too-many-clients", "server full: \"sorry, too many clients already\"", LogSources.Server, Severity.Critical, RunbookStep.ResetConnectionPool,
            "every slot was taken, the superuser-reserved ones too, so even superusers were refused: diagnose names who holds them once a login gets in (while none does, probe lists what still works); advise sizes the pools", ["sorry, too many clients already"]),
        new("reserved-slots", "only reserved slots left", LogSources.Server, Severity.Critical, RunbookStep.ResetConnectionPool,
            "ordinary roles were refused: diagnose, then reclaim idle connections (runbook step 1)", ["remaining connection slots are reserved"]),
        new("idle-in-transaction-timeout", "session ended by idle_in_transaction_session_timeout", LogSources.Server, Severity.Warning, RunbookStep.IdentifyConnectionLeaks,
            "the application leaves transactions open: find the code path (diagnose's idle-in-transaction findings, PgMedic.Guard call sites)", ["terminating connection due to idle-in-transaction timeout"]),
        new("idle-session-timeout", "session ended by idle_session_timeout", LogSources.Server, Severity.Info, RunbookStep.Prevention,
            "pooled connections outlived idle_session_timeout: set the pool's recycle time below it and enable pre-ping", ["terminating connection due to idle-session timeout"]),
        new("statement-timeout", "query cancelled by statement_timeout", LogSources.Server, Severity.Warning, RunbookStep.Prevention,
            "slow queries hold connections: see slow-queries", ["canceling statement due to statement timeout"]),
        new("client-disconnected", "client vanished: \"could not receive data from client\"", LogSources.Server, Severity.Warning, RunbookStep.InitialAssessment,
            "clients were killed or the network dropped them mid-session (crashed workers, load-balancer idle timeouts): check restarts and TCP keepalives", ["could not receive data from client"]),
        new("auth-failed", "authentication failed", LogSources.Server, Severity.Warning, RunbookStep.InitialAssessment,
            "wrong password or pg_hba.conf entry: check the credentials the application uses (probe shows auth-failed)", ["password authentication failed for user", "no pg_hba.conf entry for"]),
        new("npgsql-pool-exhausted", "Npgsql: connection pool exhausted", LogSources.Application, Severity.Critical, RunbookStep.IncreaseConnectionLimits,
            "the .NET pool ran dry: find holders (PgMedic.Guard) or size it with advise (Npgsql settings)", ["The connection pool has been exhausted"]),
        new("sqlalchemy-pool-timeout", "SQLAlchemy: QueuePool limit reached", LogSources.Application, Severity.Critical, RunbookStep.IncreaseConnectionLimits,
            "pool_size + max_overflow all checked out: find leaks (runbook step 3) or size with advise (SQLAlchemy settings)", ["QueuePool limit of size"]),
        new("hikari-pool-timeout", "HikariCP: connection not available", LogSources.Application, Severity.Critical, RunbookStep.IncreaseConnectionLimits,
            "maximumPoolSize all in use: enable leakDetectionThreshold or size with advise (HikariCP settings)", ["Connection is not available, request timed out"]),
        new("connection-refused", "connection refused (server down or wrong port)", LogSources.Application, Severity.Critical, RunbookStep.InitialAssessment,
            "nothing listens on the address: probe it; if the server is down, runbook step 4", ["Connection refused"]),
        new("connect-timeout", "connect timeout expired", LogSources.Application, Severity.Warning, RunbookStep.InitialAssessment,
            "the server did not answer in time (overloaded, network, firewall): probe it with a longer timeout", ["timeout expired"]),
        new("pgbouncer-max-client-conn", "PgBouncer: no more connections allowed", LogSources.Pooler, Severity.Critical, RunbookStep.IncreaseConnectionLimits,
            "PgBouncer's max_client_conn was reached: raise it, and check the applications' pools for leaks (diagnose with PgBouncer's admin console)", ["no more connections allowed"], ["closing because:"]),
        new("pgbouncer-query-wait-timeout", "PgBouncer: query_wait_timeout", LogSources.Pooler, Severity.Critical, RunbookStep.IncreaseConnectionLimits,
            "clients waited in PgBouncer longer than query_wait_timeout: its pool is too small or server connections are held (diagnose with PgBouncer's admin console)", ["query_wait_timeout"], ["closing because:", "query_wait_timeout =", "query_wait_timeout="]),
    ];
}
