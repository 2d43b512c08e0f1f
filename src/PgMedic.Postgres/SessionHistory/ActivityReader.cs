using System.Globalization;
using Npgsql;
using PgMedic.Core.Secrets;
using PgMedic.Core.Snapshots;
using PgMedic.Core.Statements;

namespace PgMedic.Postgres.SessionHistory;

/// <summary>
/// The active session history's own read, for a target sampled more often than it is polled: the client
/// backends of the activity statistics and nothing else — no settings, limits or catalogue joins (database
/// and role names come from a cache, refreshed when an unknown one appears). A session that is not idle comes
/// as its own row, with query text and times; idle sessions (and those whose state the role may not see) only
/// as counts per state, wait, application, client, database and role, since the sample only counts them: at
/// 500 mostly idle sessions that is a few rows instead of hundreds, less for the server to send and for the
/// monitor to read. <c>pg_blocking_pids()</c> only for lock waiters. Over a connection the caller owns (the
/// monitor's lifeline), in autocommit, under a <c>statement_timeout</c> set once per connection.
/// </summary>
public sealed class ActivityReader(int maxQueryLength = ActivityReader.DefaultMaxQueryLength)
{
    public const int DefaultMaxQueryLength = 1000;

    // The function is read once (a CTE referenced twice is materialised on every version); the server's
    // clock rides along on every row, so one statement is the whole sample.
    private const string ActivitySql = StatementSources.Marker + """
        WITH s AS (SELECT * FROM pg_stat_get_activity(NULL) a WHERE a.backend_type = 'client backend' AND a.pid <> pg_backend_pid())
        SELECT statement_timestamp(), 1::bigint, s.pid, s.state, s.datid, s.usesysid, s.application_name, host(s.client_addr), s.wait_event_type, s.wait_event,
               s.xact_start, s.query_start, s.state_change, left(s.query, $1),
               CASE WHEN s.wait_event_type = 'Lock' THEN pg_blocking_pids(s.pid) END
        FROM s WHERE s.state <> 'idle'
        UNION ALL
        SELECT statement_timestamp(), count(*), NULL, s.state, s.datid, s.usesysid, s.application_name, host(s.client_addr), s.wait_event_type, s.wait_event,
               NULL, NULL, NULL, NULL, NULL
        FROM s WHERE s.state = 'idle' OR s.state IS NULL
        GROUP BY s.state, s.datid, s.usesysid, s.application_name, s.client_addr, s.wait_event_type, s.wait_event
        """;

    private readonly Dictionary<uint, string> _databases = [];
    private readonly Dictionary<uint, string> _roles = [];

    /// <summary>The connection this reader last set its <c>statement_timeout</c> on, and the value: set again only when either changes.</summary>
    private (NpgsqlConnection? Connection, int ProcessId, int Milliseconds) _timeoutSet;

    /// <summary>
    /// The server's clock and every client session but the caller's own. Idle sessions come back as one shared
    /// <see cref="SessionInfo"/> per group, repeated as many times as the group counts, with no pid.
    /// </summary>
    public async Task<(DateTimeOffset ServerNow, IReadOnlyList<SessionInfo> Sessions)> ReadAsync(NpgsqlConnection connection, TimeSpan statementTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var sessions = new List<SessionInfo>();
        List<(int Index, int Count, uint? Database, uint? Role)>? unnamed = null;
        DateTimeOffset? now = null;
        var milliseconds = (int)statementTimeout.TotalMilliseconds;
        var setTimeout = !ReferenceEquals(_timeoutSet.Connection, connection) || _timeoutSet.ProcessId != connection.ProcessID || _timeoutSet.Milliseconds != milliseconds;
        await using (var batch = new NpgsqlBatch(connection))
        {
            if (setTimeout)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand(string.Create(CultureInfo.InvariantCulture, $"{StatementSources.Marker}SET statement_timeout = {milliseconds}")));
            }

            batch.BatchCommands.Add(new NpgsqlBatchCommand(ActivitySql) { Parameters = { new NpgsqlParameter<int> { TypedValue = maxQueryLength } } });
            batch.Timeout = Math.Max(1, (int)Math.Ceiling(statementTimeout.TotalSeconds) + 1);
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                now ??= Timestamp(reader, 0);
                var count = (int)reader.GetInt64(1);
                uint? database = reader.IsDBNull(4) ? null : reader.GetFieldValue<uint>(4);
                uint? role = reader.IsDBNull(5) ? null : reader.GetFieldValue<uint>(5);
                string? databaseName = null, roleName = null;
                if ((database is { } d && !_databases.TryGetValue(d, out databaseName)) | (role is { } r && !_roles.TryGetValue(r, out roleName)))
                {
                    (unnamed ??= []).Add((sessions.Count, count, database, role));
                }

                var session = new SessionInfo
                {
                    Pid = reader.IsDBNull(2) ? 0 : reader.GetInt32(2),
                    BackendType = BackendTypes.ClientBackend,
                    State = Text(reader, 3),
                    Database = databaseName,
                    User = roleName,
                    ApplicationName = Text(reader, 6),
                    ClientAddress = Text(reader, 7),
                    WaitEventType = Text(reader, 8),
                    WaitEvent = Text(reader, 9),
                    TransactionStart = Timestamp(reader, 10),
                    QueryStart = Timestamp(reader, 11),
                    StateChange = Timestamp(reader, 12),
                    Query = SecretText.ScrubOrNull(Text(reader, 13)),
                    BlockedBy = reader.IsDBNull(14) ? [] : reader.GetFieldValue<int[]>(14),
                };
                sessions.AddRange(Enumerable.Repeat(session, count));
            }
        }

        _timeoutSet = (connection, connection.ProcessID, milliseconds);
        now ??= await ServerClockAsync(connection, cancellationToken).ConfigureAwait(false);

        if (unnamed is not null)
        {
            // A database or role created since the last refresh: read the names once and name those sessions.
            await RefreshNamesAsync(connection, cancellationToken).ConfigureAwait(false);
            foreach (var (index, count, database, role) in unnamed)
            {
                var named = sessions[index] with
                {
                    Database = database is { } d ? _databases.GetValueOrDefault(d) : null,
                    User = role is { } r ? _roles.GetValueOrDefault(r) : null,
                };
                for (var i = index; i < index + count; i++)
                {
                    sessions[i] = named;
                }
            }
        }

        return (now.Value, sessions);
    }

    /// <summary>No other client session: no row carried the clock, so it is asked alone.</summary>
    private static async Task<DateTimeOffset> ServerClockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(StatementSources.Marker + "SELECT statement_timestamp()", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return Timestamp(reader, 0)!.Value;
    }

    private async Task RefreshNamesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(StatementSources.Marker + "SELECT oid, datname FROM pg_database"),
                new NpgsqlBatchCommand(StatementSources.Marker + "SELECT oid, rolname FROM pg_roles"),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        _databases.Clear();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            _databases[reader.GetFieldValue<uint>(0)] = reader.GetString(1);
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        _roles.Clear();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            _roles[reader.GetFieldValue<uint>(0)] = reader.GetString(1);
        }
    }

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static DateTimeOffset? Timestamp(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc));
}
