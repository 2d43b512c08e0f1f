using Npgsql;
using PgMedic.Core.Secrets;
using PgMedic.Core.Snapshots;
using PgMedic.Core.Statements;

namespace PgMedic.Postgres.SessionHistory;

/// <summary>
/// The active session history's own read, for a target sampled more often than it is polled: the client
/// backends of the activity statistics and nothing else — no settings, limits or catalogue joins (database
/// and role names come from a cache, refreshed when an unknown one appears), query text and times only for
/// sessions that are not idle (an idle session is counted, not kept), <c>pg_blocking_pids()</c> only for lock
/// waiters. Over a connection the caller owns (the monitor's lifeline), in autocommit, under its own
/// <c>statement_timeout</c>.
/// </summary>
public sealed class ActivityReader(int maxQueryLength = ActivityReader.DefaultMaxQueryLength)
{
    public const int DefaultMaxQueryLength = 1000;

    private const string ActivitySql = StatementSources.Marker + """
        SELECT s.pid, s.state, s.datid, s.usesysid, s.application_name, host(s.client_addr), s.wait_event_type, s.wait_event,
               CASE WHEN s.state <> 'idle' THEN s.xact_start END, CASE WHEN s.state <> 'idle' THEN s.query_start END,
               CASE WHEN s.state <> 'idle' THEN s.state_change END, CASE WHEN s.state <> 'idle' THEN left(s.query, $1) END,
               CASE WHEN s.wait_event_type = 'Lock' THEN pg_blocking_pids(s.pid) END
        FROM pg_stat_get_activity(NULL) s
        WHERE s.backend_type = 'client backend' AND s.pid <> pg_backend_pid()
        """;

    private readonly Dictionary<uint, string> _databases = [];
    private readonly Dictionary<uint, string> _roles = [];

    /// <summary>The server's clock and every client session but the caller's own.</summary>
    public async Task<(DateTimeOffset ServerNow, IReadOnlyList<SessionInfo> Sessions)> ReadAsync(NpgsqlConnection connection, TimeSpan statementTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var sessions = new List<SessionInfo>();
        List<(int Index, uint? Database, uint? Role)>? unnamed = null;
        DateTimeOffset now;
        await using (var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand($"{StatementSources.Marker}SET statement_timeout = {(int)statementTimeout.TotalMilliseconds}"),
                new NpgsqlBatchCommand(StatementSources.Marker + "SELECT clock_timestamp()"),
                new NpgsqlBatchCommand(ActivitySql) { Parameters = { new NpgsqlParameter<int> { TypedValue = maxQueryLength } } },
            },
        })
        {
            batch.Timeout = Math.Max(1, (int)Math.Ceiling(statementTimeout.TotalSeconds) + 1);
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            now = Timestamp(reader, 0)!.Value;
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                uint? database = reader.IsDBNull(2) ? null : reader.GetFieldValue<uint>(2);
                uint? role = reader.IsDBNull(3) ? null : reader.GetFieldValue<uint>(3);
                string? databaseName = null, roleName = null;
                if ((database is { } d && !_databases.TryGetValue(d, out databaseName)) | (role is { } r && !_roles.TryGetValue(r, out roleName)))
                {
                    (unnamed ??= []).Add((sessions.Count, database, role));
                }

                sessions.Add(new SessionInfo
                {
                    Pid = reader.GetInt32(0),
                    BackendType = BackendTypes.ClientBackend,
                    State = Text(reader, 1),
                    Database = databaseName,
                    User = roleName,
                    ApplicationName = Text(reader, 4),
                    ClientAddress = Text(reader, 5),
                    WaitEventType = Text(reader, 6),
                    WaitEvent = Text(reader, 7),
                    TransactionStart = Timestamp(reader, 8),
                    QueryStart = Timestamp(reader, 9),
                    StateChange = Timestamp(reader, 10),
                    Query = SecretText.ScrubOrNull(Text(reader, 11)),
                    BlockedBy = reader.IsDBNull(12) ? [] : reader.GetFieldValue<int[]>(12),
                });
            }
        }

        if (unnamed is not null)
        {
            // A database or role created since the last refresh: read the names once and name those sessions.
            await RefreshNamesAsync(connection, cancellationToken).ConfigureAwait(false);
            foreach (var (index, database, role) in unnamed)
            {
                sessions[index] = sessions[index] with
                {
                    Database = database is { } d ? _databases.GetValueOrDefault(d) : null,
                    User = role is { } r ? _roles.GetValueOrDefault(r) : null,
                };
            }
        }

        return (now, sessions);
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
