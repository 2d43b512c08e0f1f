using System.Diagnostics;
using Npgsql;
using PgMedic.Core.Secrets;
using PgMedic.Core.Snapshots;
using PgMedic.Core.Statements;
using PgMedic.Postgres.Probing;

namespace PgMedic.Postgres.Collection;

/// <summary>
/// Reads a <see cref="Snapshot"/> in one round trip (one batch) over a connection the caller owns:
/// settings, every row of the activity statistics (what <c>pg_stat_activity</c> shows) with its role's superuser flag, lock edges (asking
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

    // The statistics function itself rather than the pg_stat_activity view: the view joins pg_database and
    // pg_authid for every row (and pg_roles would join again for rolsuper); the names come from the two
    // small catalogue reads below, joined in memory. Half the server time of the view at 500 sessions.
    // Query text is the bulk of a row: top asks for it only where it can be drawn (see SnapshotScope).
    private const string AllQueries = "left(s.query, $1)";
    private const string NotIdleQueries = "CASE WHEN s.state <> 'idle' AND s.backend_type = 'client backend' THEN left(s.query, $1) END";

    // pg_locks.waitstart (PostgreSQL 14+) says when a lock wait began; query_start overstates it by whatever
    // the statement did first. The CTE is read only from the CASE of a session waiting on a lock, so a
    // server with no lock waits never scans pg_locks (it takes the lock manager's partition locks).
    private const string WaitStartCte = "WITH waits AS MATERIALIZED (SELECT pid, min(waitstart) AS waitstart FROM pg_locks WHERE NOT granted GROUP BY pid)\n";
    private const string WaitStartColumn = "CASE WHEN s.wait_event_type = 'Lock' THEN (SELECT w.waitstart FROM waits w WHERE w.pid = s.pid) END";

    private static readonly string[] ActivitySqls =
    [
        Activity(LockWaitClock.WaitStart, QueryTextScope.All),
        Activity(LockWaitClock.WaitStart, QueryTextScope.NotIdle),
        Activity(LockWaitClock.QueryStart, QueryTextScope.All),
        Activity(LockWaitClock.QueryStart, QueryTextScope.NotIdle),
    ];

    private const string CountersSql = StatementSources.Marker + "SELECT (SELECT sum(xact_commit + xact_rollback) FROM pg_stat_database)::bigint, pg_postmaster_start_time()";

    private const string DatabasesSql = StatementSources.Marker + "SELECT oid, datname, datconnlimit, datallowconn FROM pg_database";

    private const string RolesSql = StatementSources.Marker + "SELECT oid, rolname, rolconnlimit, rolsuper, rolreplication, rolcanlogin FROM pg_roles";

    public static Task<Snapshot> CollectAsync(NpgsqlConnection connection, TimeSpan statementTimeout, CancellationToken cancellationToken, int maxQueryLength = DefaultMaxQueryLength) =>
        CollectAsync(connection, statementTimeout, SnapshotScope.Full with { MaxQueryLength = maxQueryLength }, cancellationToken);

    /// <param name="scope">What to read beyond the sessions: query text for which sessions, top's counters.</param>
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
                new NpgsqlBatchCommand(DatabasesSql),
                new NpgsqlBatchCommand(RolesSql),
                new NpgsqlBatchCommand(ActivitySqls[((clock == LockWaitClock.WaitStart ? 0 : 1) * 2) + (scope.QueryText == QueryTextScope.All ? 0 : 1)])
                {
                    Parameters = { new NpgsqlParameter<int> { TypedValue = Math.Max(1, scope.MaxQueryLength) } },
                },
            },
        };
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
        var databaseNames = new Dictionary<uint, string>();
        var databases = new List<DatabaseLimit>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var name = reader.GetString(1);
            databaseNames[reader.GetFieldValue<uint>(0)] = name;
            if (reader.GetInt32(2) >= 0 && reader.GetBoolean(3))
            {
                databases.Add(new DatabaseLimit(name, reader.GetInt32(2)));
            }
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var roleNames = new Dictionary<uint, RoleFacts>();
        var roles = new List<RoleLimit>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var facts = new RoleFacts(reader.GetString(1), reader.GetBoolean(3), reader.GetBoolean(3) || reader.GetBoolean(4));
            roleNames[reader.GetFieldValue<uint>(0)] = facts;
            if (reader.GetInt32(2) >= 0 && reader.GetBoolean(5))
            {
                roles.Add(new RoleLimit(facts.Name, reader.GetInt32(2), facts.IsSuperuser));
            }
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var sessions = new List<SessionInfo>();
        var scrubber = ConnectionSecrets.For(connection);
        var texts = SessionTexts.Next(connection);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            sessions.Add(ReadSession(reader, databaseNames, roleNames, scrubber, texts));
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
        SELECT s.pid, coalesce(s.backend_type, ''), s.state, s.datid, s.usesysid,
               s.application_name, host(s.client_addr), s.client_port,
               s.backend_start, s.xact_start, s.query_start, s.state_change,
               s.wait_event_type, s.wait_event, {(queryText == QueryTextScope.All ? AllQueries : NotIdleQueries)}, s.leader_pid,
               CASE WHEN s.wait_event_type = 'Lock' THEN pg_blocking_pids(s.pid) END,
               {(clock == LockWaitClock.WaitStart ? WaitStartColumn : "NULL::timestamptz")}
        FROM pg_stat_get_activity(NULL) s
        WHERE s.pid <> pg_backend_pid()
        """;

    /// <summary>One session; its free text (what a client chose to call itself and to send) scrubbed of the target's password.</summary>
    private static SessionInfo ReadSession(NpgsqlDataReader reader, Dictionary<uint, string> databases, Dictionary<uint, RoleFacts> roles, SecretScrubber scrubber, SessionTexts texts)
    {
        var role = reader.IsDBNull(4) ? null : roles.GetValueOrDefault(reader.GetFieldValue<uint>(4));
        return new SessionInfo
        {
            Pid = reader.GetInt32(0),
            BackendType = texts.Shared(reader.GetString(1))!,
            State = texts.Shared(NullableString(reader, 2)),
            Database = reader.IsDBNull(3) ? null : databases.GetValueOrDefault(reader.GetFieldValue<uint>(3)),
            User = role?.Name,
            IsSuperuser = role?.IsSuperuser ?? false,
            ApplicationName = texts.Scrubbed(NullableString(reader, 5), scrubber),
            ClientAddress = texts.Shared(NullableString(reader, 6)),
            ClientPort = reader.IsDBNull(7) ? null : reader.GetInt32(7),
            BackendStart = Timestamp(reader, 8),
            TransactionStart = Timestamp(reader, 9),
            QueryStart = Timestamp(reader, 10),
            StateChange = Timestamp(reader, 11),
            WaitEventType = texts.Shared(NullableString(reader, 12)),
            WaitEvent = texts.Shared(NullableString(reader, 13)),
            Query = texts.Scrubbed(NullableString(reader, 14), scrubber),
            LeaderPid = reader.IsDBNull(15) ? null : reader.GetInt32(15),
            BlockedBy = reader.IsDBNull(16) ? [] : reader.GetFieldValue<int[]>(16),
            CanReplicate = role?.CanReplicate ?? false,
            WaitStart = Timestamp(reader, 17),
        };
    }

    /// <summary>What a session's role says about it: its name, and whether it is a superuser or may replicate.</summary>
    private sealed record RoleFacts(string Name, bool IsSuperuser, bool CanReplicate);

    private static Visibility VisibilityOf(bool isSuperuser, bool readsAllStats) =>
        isSuperuser || readsAllStats
            ? new Visibility(true, [])
            : new Visibility(false, ["without superuser, pg_read_all_stats or pg_monitor, other roles' sessions show no type, state, query or timings: only their PID, database, role and application"]);

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static DateTimeOffset? Timestamp(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc));
}
