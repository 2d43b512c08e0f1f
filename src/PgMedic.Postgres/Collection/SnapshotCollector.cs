using System.Diagnostics;
using Npgsql;
using PgMedic.Core.Secrets;
using PgMedic.Core.Snapshots;
using PgMedic.Core.Statements;

namespace PgMedic.Postgres.Collection;

/// <summary>
/// Reads a <see cref="Snapshot"/> in one round trip (one batch) over a connection the caller owns:
/// settings, every <c>pg_stat_activity</c> row with its role's superuser flag, lock edges (asking
/// <c>pg_blocking_pids()</c> only for sessions waiting on a lock, since it takes the lock manager's
/// locks — pgwatch calls it for every backend), and connection limits. It runs in autocommit, so it
/// never leaves a transaction open, and under its own <c>statement_timeout</c>.
/// </summary>
public static class SnapshotCollector
{
    public const int DefaultMaxQueryLength = 1000;

    // reset_val is the value the server gives sessions (config, role and database settings), which
    // our own SET below does not change.
    private const string SettingsSql = StatementSources.Marker + """
        SELECT current_setting('server_version'),
               current_setting('server_version_num')::int,
               current_setting('max_connections')::int,
               current_setting('superuser_reserved_connections')::int,
               coalesce(current_setting('reserved_connections', true), '0')::int,
               (SELECT reset_val::bigint FROM pg_settings WHERE name = 'idle_in_transaction_session_timeout'),
               coalesce((SELECT reset_val::bigint FROM pg_settings WHERE name = 'idle_session_timeout'), 0),
               (SELECT reset_val::bigint FROM pg_settings WHERE name = 'statement_timeout'),
               pg_backend_pid(),
               clock_timestamp(),
               current_database(),
               coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false),
               pg_has_role(current_user, 'pg_read_all_stats', 'USAGE'),
               current_setting('max_worker_processes')::int,
               current_setting('max_wal_senders')::int,
               current_user::text
        """;

    // Query text is the bulk of a row: top asks for it only where it can be drawn (see SnapshotScope).
    private const string AllQueries = "left(a.query, $1)";
    private const string NotIdleQueries = "CASE WHEN a.state <> 'idle' AND a.backend_type = 'client backend' THEN left(a.query, $1) END";

    // pg_locks.waitstart (PostgreSQL 14+) says when a lock wait began; query_start overstates it by whatever
    // the statement did first. The CTE is read only from the CASE of a session waiting on a lock, so a
    // server with no lock waits never scans pg_locks (it takes the lock manager's partition locks).
    private const string WaitStartCte = "WITH waits AS MATERIALIZED (SELECT pid, min(waitstart) AS waitstart FROM pg_locks WHERE NOT granted GROUP BY pid)\n";
    private const string WaitStartColumn = "CASE WHEN a.wait_event_type = 'Lock' THEN (SELECT w.waitstart FROM waits w WHERE w.pid = a.pid) END";

    private static readonly string[] ActivitySqls =
    [
        Activity(LockWaitClock.WaitStart, QueryTextScope.All),
        Activity(LockWaitClock.WaitStart, QueryTextScope.NotIdle),
        Activity(LockWaitClock.QueryStart, QueryTextScope.All),
        Activity(LockWaitClock.QueryStart, QueryTextScope.NotIdle),
    ];

    private const string CountersSql = StatementSources.Marker + "SELECT (SELECT sum(xact_commit + xact_rollback) FROM pg_stat_database)::bigint, pg_postmaster_start_time()";

    private const string DatabasesSql = StatementSources.Marker + "SELECT datname, datconnlimit FROM pg_database WHERE datallowconn AND datconnlimit >= 0";

    private const string RolesSql = StatementSources.Marker + "SELECT rolname, rolconnlimit, rolsuper FROM pg_roles WHERE rolcanlogin AND rolconnlimit >= 0";

    public static Task<Snapshot> CollectAsync(NpgsqlConnection connection, TimeSpan statementTimeout, CancellationToken cancellationToken, int maxQueryLength = DefaultMaxQueryLength) =>
        CollectAsync(connection, statementTimeout, SnapshotScope.Full with { MaxQueryLength = maxQueryLength }, cancellationToken);

    /// <param name="scope">What to read beyond the sessions: query text for which sessions, limits, top's counters.</param>
    public static async Task<Snapshot> CollectAsync(NpgsqlConnection connection, TimeSpan statementTimeout, SnapshotScope scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(scope);
        var stopwatch = Stopwatch.StartNew();
        var clock = LockWaitClocks.For(VersionNumber(connection.PostgreSqlVersion));
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand($"{StatementSources.Marker}SET statement_timeout = {(int)statementTimeout.TotalMilliseconds}"),
                new NpgsqlBatchCommand(SettingsSql),
                new NpgsqlBatchCommand(ActivitySqls[((clock == LockWaitClock.WaitStart ? 0 : 1) * 2) + (scope.QueryText == QueryTextScope.All ? 0 : 1)])
                {
                    Parameters = { new NpgsqlParameter<int> { TypedValue = Math.Max(1, scope.MaxQueryLength) } },
                },
            },
        };
        if (scope.Limits)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(DatabasesSql));
            batch.BatchCommands.Add(new NpgsqlBatchCommand(RolesSql));
        }

        if (scope.Counters)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(CountersSql));
        }

        batch.Timeout = Math.Max(1, (int)Math.Ceiling(statementTimeout.TotalSeconds) + 1);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);

        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var server = new ServerInfo(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4))
        {
            MaxWorkerProcesses = reader.GetInt32(13),
            MaxWalSenders = reader.GetInt32(14),
        };
        var timeouts = new SessionTimeouts(
            TimeSpan.FromMilliseconds(reader.GetInt64(5)),
            TimeSpan.FromMilliseconds(reader.GetInt64(6)),
            TimeSpan.FromMilliseconds(reader.GetInt64(7)));
        var collectorPid = reader.GetInt32(8);
        var takenAt = Timestamp(reader, 9)!.Value;
        var database = reader.GetString(10);
        var isSuperuser = reader.GetBoolean(11);
        var readsAllStats = reader.GetBoolean(12);
        var role = reader.GetString(15);

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var sessions = new List<SessionInfo>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            sessions.Add(ReadSession(reader));
        }

        var databases = new List<DatabaseLimit>();
        var roles = new List<RoleLimit>();
        if (scope.Limits)
        {
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                databases.Add(new DatabaseLimit(reader.GetString(0), reader.GetInt32(1)));
            }

            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                roles.Add(new RoleLimit(reader.GetString(0), reader.GetInt32(1), reader.GetBoolean(2)));
            }
        }

        ServerCounters? counters = null;
        if (scope.Counters)
        {
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            counters = new ServerCounters(reader.IsDBNull(0) ? 0 : reader.GetInt64(0), Timestamp(reader, 1)!.Value);
        }

        return new Snapshot
        {
            TakenAt = takenAt,
            Server = server,
            Sessions = sessions,
            Databases = databases,
            Roles = roles,
            Timeouts = timeouts,
            CollectorPid = collectorPid,
            TargetDatabase = database,
            Visibility = VisibilityOf(isSuperuser, readsAllStats) with { Role = role },
            CollectMilliseconds = stopwatch.Elapsed.TotalMilliseconds,
            LockWaitClock = clock,
            Counters = counters,
        };
    }

    /// <summary><c>server_version_num</c> from the version the server announced at login (15.4 → 150004, 9.6.24 → 90624).</summary>
    public static int VersionNumber(Version version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return version.Major >= 10
            ? (version.Major * 10000) + Math.Max(0, version.Minor)
            : (version.Major * 10000) + (Math.Max(0, version.Minor) * 100) + Math.Max(0, version.Build);
    }

    /// <summary>The statement that reads every session, for a server whose lock waits are measured by <paramref name="clock"/>.</summary>
    public static string Activity(LockWaitClock clock, QueryTextScope queryText) =>
        StatementSources.Marker + (clock == LockWaitClock.WaitStart ? WaitStartCte : string.Empty) + $"""
        SELECT a.pid, coalesce(a.backend_type, ''), a.state, a.datname, a.usename, coalesce(r.rolsuper, false),
               a.application_name, host(a.client_addr), a.client_port,
               a.backend_start, a.xact_start, a.query_start, a.state_change,
               a.wait_event_type, a.wait_event, {(queryText == QueryTextScope.All ? AllQueries : NotIdleQueries)}, a.leader_pid,
               CASE WHEN a.wait_event_type = 'Lock' THEN pg_blocking_pids(a.pid) END,
               coalesce(r.rolsuper OR r.rolreplication, false),
               {(clock == LockWaitClock.WaitStart ? WaitStartColumn : "NULL::timestamptz")}
        FROM pg_stat_activity a
        LEFT JOIN pg_roles r ON r.oid = a.usesysid
        WHERE a.pid <> pg_backend_pid()
        """;

    private static SessionInfo ReadSession(NpgsqlDataReader reader) => new()
    {
        Pid = reader.GetInt32(0),
        BackendType = reader.GetString(1),
        State = NullableString(reader, 2),
        Database = NullableString(reader, 3),
        User = NullableString(reader, 4),
        IsSuperuser = reader.GetBoolean(5),
        ApplicationName = NullableString(reader, 6),
        ClientAddress = NullableString(reader, 7),
        ClientPort = reader.IsDBNull(8) ? null : reader.GetInt32(8),
        BackendStart = Timestamp(reader, 9),
        TransactionStart = Timestamp(reader, 10),
        QueryStart = Timestamp(reader, 11),
        StateChange = Timestamp(reader, 12),
        WaitEventType = NullableString(reader, 13),
        WaitEvent = NullableString(reader, 14),
        Query = SecretText.ScrubOrNull(NullableString(reader, 15)),
        LeaderPid = reader.IsDBNull(16) ? null : reader.GetInt32(16),
        BlockedBy = reader.IsDBNull(17) ? [] : reader.GetFieldValue<int[]>(17),
        CanReplicate = reader.GetBoolean(18),
        WaitStart = Timestamp(reader, 19),
    };

    private static Visibility VisibilityOf(bool isSuperuser, bool readsAllStats) =>
        isSuperuser || readsAllStats
            ? new Visibility(true, [])
            : new Visibility(false, ["without superuser, pg_read_all_stats or pg_monitor, other roles' sessions show no type, state, query or timings: only their PID, database, role and application"]);

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static DateTimeOffset? Timestamp(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc));
}
