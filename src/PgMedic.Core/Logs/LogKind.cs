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
/// <param name="Wrapper">The kind names a wrapper (SQLAlchemy's <c>sqlalchemy.exc.OperationalError</c>): a line is counted as it only when no more specific kind is on the line.</param>
/// <param name="Tails">Texts that end a multi-line error (SQLAlchemy's "Background on this error at" link): such a line is counted only when no trouble was counted in the lines just above it, since it is then the end of that trouble's message.</param>
/// <param name="Qualifiers">When set, a needle or tail counts only with one of these after it on the line: one needle (<c>alchemy.exc.</c>) then stands for several texts, since each needle costs every line of the input a little.</param>
/// <param name="Continues">Codes of kinds whose message a line of this kind may continue: libpq appends "server closed the connection unexpectedly" to the server's FATAL, so such a line right after one of them is the same event.</param>
public sealed record LogKind(
    string Code,
    string Title,
    string Source,
    Severity Severity,
    string RunbookStep,
    string Advice,
    IReadOnlyList<string> Needles,
    IReadOnlyList<string>? Exclude = null,
    bool Wrapper = false,
    IReadOnlyList<string>? Tails = null,
    IReadOnlyList<string>? Continues = null,
    IReadOnlyList<string>? Qualifiers = null);

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

        // What the runbook's own steps cause: pg_terminate_backend and restarts, as the server logs them and as each driver reports them.
        // Each needle is the message's tail from a rare word on: the vectorised search screens lines by a
        // needle's first letters, and "the …" or "server …" would send most lines of a log to the slow check.
        new(AdminShutdown, "session ended by an administrator or a shutdown: \"terminating connection due to administrator command\"", LogSources.Server, Severity.Warning, RunbookStep.ResetConnectionPool,
            "pg_terminate_backend or a fast shutdown ended the session (SQLSTATE 57P01): expected right after terminate, heal or emergency (runbook steps 1, 3 and 4) or a database restart, and the application's pool must then drop the dead connection instead of failing a request (pre-ping). Seen when nobody acted: someone else terminates sessions, or the server restarted (probe it)",
            ["terminating connection due to administrator command"]),
        new(ConnectionLost, "connection lost mid-use: \"server closed the connection unexpectedly\"", LogSources.Application, Severity.Warning, RunbookStep.Prevention,
            "the connection died under the application without a reason from the server: a terminated session, a database restart or crash, or a proxy or load balancer dropping idle connections. Expected once per pooled connection after runbook steps 1 and 4; otherwise probe the server, and have the pool test connections before use (pre-ping) and recycle them sooner than the network's idle timeout (advise computes both)",
            ["closed the connection unexpectedly", "closed in the middle of operation"],
            Continues: [AdminShutdown, StartingUp, ShuttingDown]),
        new(StartingUp, "server starting up or recovering: \"the database system is starting up\"", LogSources.Server, Severity.Critical, RunbookStep.EmergencyRestart,
            "the server refused logins while it started, or recovered after a crash (SQLSTATE 57P03): a restart (runbook step 4), a crash or a failover. Probe it until it accepts connections; if the application still fails after that, restart the application (step 4) so its pool reconnects. Seen when nobody restarted it: read the server log for a crash",
            ["system is starting up", "system is in recovery mode"]),
        new(ShuttingDown, "server shutting down: \"the database system is shutting down\"", LogSources.Server, Severity.Critical, RunbookStep.EmergencyRestart,
            "the server refused logins because it was stopping (SQLSTATE 57P03): expected during a database restart (runbook step 4); if nobody restarted it, the platform or a crash stopped it: probe it and check the platform's status",
            ["system is shutting down"]),
        new("sqlalchemy-error", "SQLAlchemy: database error (OperationalError, DBAPIError, InterfaceError)", LogSources.Application, Severity.Warning, RunbookStep.InitialAssessment,
            "SQLAlchemy wrapped a driver error that has no kind of its own here: the sample shows the driver's message (e3q8, an OperationalError, is a lost or refused connection, an unknown host or a timeout). Probe the server from where the application runs",
            ["alchemy.exc."],
            Wrapper: true,
            Tails: ["sqlalche.me/e/"],
            Qualifiers: ["OperationalError", "DBAPIError", "InterfaceError", "/e3q8)", "/dbapi)", "/rvf5)"]),
    ];

    private const string AdminShutdown = "admin-shutdown";
    private const string ConnectionLost = "connection-lost";
    private const string StartingUp = "server-starting-up";
    private const string ShuttingDown = "server-shutting-down";
}
