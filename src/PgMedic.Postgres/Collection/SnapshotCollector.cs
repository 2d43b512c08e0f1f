using System.Diagnostics;
using Npgsql;
using PgMedic.Core.Secrets;
using PgMedic.Core.Snapshots;
using PgMedic.Core.Statements;
using PgMedic.Postgres.Probing;

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

    private const string ActivitySql = StatementSources.Marker + """
        SELECT a.pid, coalesce(a.backend_type, ''), a.state, a.datname, a.usename, coalesce(r.rolsuper, false),
               a.application_name, host(a.client_addr), a.client_port,
               a.backend_start, a.xact_start, a.query_start, a.state_change,
               a.wait_event_type, a.wait_event, left(a.query, $1), a.leader_pid,
               CASE WHEN a.wait_event_type = 'Lock' THEN pg_blocking_pids(a.pid) END,
               coalesce(r.rolsuper OR r.rolreplication, false)
        FROM pg_stat_activity a
        LEFT JOIN pg_roles r ON r.oid = a.usesysid
        WHERE a.pid <> pg_backend_pid()
        """;

    private const string DatabasesSql = StatementSources.Marker + "SELECT datname, datconnlimit FROM pg_database WHERE datallowconn AND datconnlimit >= 0";

    private const string RolesSql = StatementSources.Marker + "SELECT rolname, rolconnlimit, rolsuper FROM pg_roles WHERE rolcanlogin AND rolconnlimit >= 0";

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
                new NpgsqlBatchCommand(ActivitySql) { Parameters = { new NpgsqlParameter<int> { TypedValue = maxQueryLength } } },
                new NpgsqlBatchCommand(DatabasesSql),
                new NpgsqlBatchCommand(RolesSql),
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
        var sessions = new List<SessionInfo>();
        var scrubber = ConnectionSecrets.For(connection);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            sessions.Add(ReadSession(reader, scrubber));
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var databases = new List<DatabaseLimit>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            databases.Add(new DatabaseLimit(reader.GetString(0), reader.GetInt32(1)));
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var roles = new List<RoleLimit>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            roles.Add(new RoleLimit(reader.GetString(0), reader.GetInt32(1), reader.GetBoolean(2)));
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

    /// <summary>One session; its free text (what a client chose to call itself and to send) scrubbed of the target's password.</summary>
    private static SessionInfo ReadSession(NpgsqlDataReader reader, SecretScrubber scrubber) => new()
    {
        Pid = reader.GetInt32(0),
        BackendType = reader.GetString(1),
        State = NullableString(reader, 2),
        Database = NullableString(reader, 3),
        User = NullableString(reader, 4),
        IsSuperuser = reader.GetBoolean(5),
        ApplicationName = scrubber.ScrubOrNull(NullableString(reader, 6)),
        ClientAddress = NullableString(reader, 7),
        ClientPort = reader.IsDBNull(8) ? null : reader.GetInt32(8),
        BackendStart = Timestamp(reader, 9),
        TransactionStart = Timestamp(reader, 10),
        QueryStart = Timestamp(reader, 11),
        StateChange = Timestamp(reader, 12),
        WaitEventType = NullableString(reader, 13),
        WaitEvent = NullableString(reader, 14),
        Query = scrubber.ScrubOrNull(NullableString(reader, 15)),
        LeaderPid = reader.IsDBNull(16) ? null : reader.GetInt32(16),
        BlockedBy = reader.IsDBNull(17) ? [] : reader.GetFieldValue<int[]>(17),
        CanReplicate = reader.GetBoolean(18),
    };

    private static Visibility VisibilityOf(bool isSuperuser, bool readsAllStats) =>
        isSuperuser || readsAllStats
            ? new Visibility(true, [])
            : new Visibility(false, ["without superuser, pg_read_all_stats or pg_monitor, other roles' sessions show no type, state, query or timings: only their PID, database, role and application"]);

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static DateTimeOffset? Timestamp(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc));
}
