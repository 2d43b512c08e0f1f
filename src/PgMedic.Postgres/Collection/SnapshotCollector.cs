using System.Diagnostics;
using Npgsql;
using PgMedic.Core.Secrets;
using PgMedic.Core.Snapshots;
using PgMedic.Core.Statements;

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
    private const string ActivitySql = StatementSources.Marker + """
        SELECT s.pid, coalesce(s.backend_type, ''), s.state, s.datid, s.usesysid,
               s.application_name, host(s.client_addr), s.client_port,
               s.backend_start, s.xact_start, s.query_start, s.state_change,
               s.wait_event_type, s.wait_event, left(s.query, $1), s.leader_pid,
               CASE WHEN s.wait_event_type = 'Lock' THEN pg_blocking_pids(s.pid) END
        FROM pg_stat_get_activity(NULL) s
        WHERE s.pid <> pg_backend_pid()
        """;

    private const string DatabasesSql = StatementSources.Marker + "SELECT oid, datname, datconnlimit, datallowconn FROM pg_database";

    private const string RolesSql = StatementSources.Marker + "SELECT oid, rolname, rolconnlimit, rolsuper, rolreplication, rolcanlogin FROM pg_roles";

    public static async Task<Snapshot> CollectAsync(NpgsqlConnection connection, TimeSpan statementTimeout, CancellationToken cancellationToken, int maxQueryLength = DefaultMaxQueryLength)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var stopwatch = Stopwatch.StartNew();
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand($"{StatementSources.Marker}SET statement_timeout = {(int)statementTimeout.TotalMilliseconds}"),
                new NpgsqlBatchCommand(SettingsSql),
                new NpgsqlBatchCommand(DatabasesSql),
                new NpgsqlBatchCommand(RolesSql),
                new NpgsqlBatchCommand(ActivitySql) { Parameters = { new NpgsqlParameter<int> { TypedValue = maxQueryLength } } },
            },
        };
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
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            sessions.Add(ReadSession(reader, databaseNames, roleNames));
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
        };
    }

    private static SessionInfo ReadSession(NpgsqlDataReader reader, Dictionary<uint, string> databases, Dictionary<uint, RoleFacts> roles)
    {
        var role = reader.IsDBNull(4) ? null : roles.GetValueOrDefault(reader.GetFieldValue<uint>(4));
        return new SessionInfo
        {
            Pid = reader.GetInt32(0),
            BackendType = reader.GetString(1),
            State = NullableString(reader, 2),
            Database = reader.IsDBNull(3) ? null : databases.GetValueOrDefault(reader.GetFieldValue<uint>(3)),
            User = role?.Name,
            IsSuperuser = role?.IsSuperuser ?? false,
            ApplicationName = NullableString(reader, 5),
            ClientAddress = NullableString(reader, 6),
            ClientPort = reader.IsDBNull(7) ? null : reader.GetInt32(7),
            BackendStart = Timestamp(reader, 8),
            TransactionStart = Timestamp(reader, 9),
            QueryStart = Timestamp(reader, 10),
            StateChange = Timestamp(reader, 11),
            WaitEventType = NullableString(reader, 12),
            WaitEvent = NullableString(reader, 13),
            Query = SecretText.ScrubOrNull(NullableString(reader, 14)),
            LeaderPid = reader.IsDBNull(15) ? null : reader.GetInt32(15),
            BlockedBy = reader.IsDBNull(16) ? [] : reader.GetFieldValue<int[]>(16),
            CanReplicate = role?.CanReplicate ?? false,
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
