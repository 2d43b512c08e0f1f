using Npgsql;
using PgMedic.Core.Secrets;
using PgMedic.Core.Snapshots;
using PgMedic.Core.Statements;

namespace PgMedic.Postgres.SessionHistory;

/// <summary>
/// The active session history's own read, for a target sampled more often than it is polled: the client
/// backends of the activity statistics and nothing else — no settings, limits or catalogue joins (database
/// and role names come from a cache, refreshed when an unknown one appears), query text only for sessions
/// that are not idle, <c>pg_blocking_pids()</c> only for lock waiters. Over a connection the caller owns
/// (the monitor's lifeline), in autocommit, under its own <c>statement_timeout</c>.
/// </summary>
public sealed class ActivityReader(int maxQueryLength = ActivityReader.DefaultMaxQueryLength)
{
    public const int DefaultMaxQueryLength = 1000;

    private const string ActivitySql = StatementSources.Marker + """
        SELECT s.pid, s.state, s.datid, s.usesysid, s.application_name, host(s.client_addr),
               s.xact_start, s.query_start, s.state_change, s.wait_event_type, s.wait_event,
               CASE WHEN s.state <> 'idle' THEN left(s.query, $1) END,
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
        var rows = new List<Row>();
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
                rows.Add(new Row(
                    reader.GetInt32(0),
                    Text(reader, 1),
                    reader.IsDBNull(2) ? null : reader.GetFieldValue<uint>(2),
                    reader.IsDBNull(3) ? null : reader.GetFieldValue<uint>(3),
                    Text(reader, 4),
                    Text(reader, 5),
                    Timestamp(reader, 6),
                    Timestamp(reader, 7),
                    Timestamp(reader, 8),
                    Text(reader, 9),
                    Text(reader, 10),
                    Text(reader, 11),
                    reader.IsDBNull(12) ? [] : reader.GetFieldValue<int[]>(12)));
            }
        }

        if (rows.Any(r => (r.Database is { } d && !_databases.ContainsKey(d)) || (r.Role is { } u && !_roles.ContainsKey(u))))
        {
            await RefreshNamesAsync(connection, cancellationToken).ConfigureAwait(false);
        }

        return (now, rows.Select(r => new SessionInfo
        {
            Pid = r.Pid,
            BackendType = BackendTypes.ClientBackend,
            State = r.State,
            Database = r.Database is { } d ? _databases.GetValueOrDefault(d) : null,
            User = r.Role is { } u ? _roles.GetValueOrDefault(u) : null,
            ApplicationName = r.Application,
            ClientAddress = r.Client,
            TransactionStart = r.TransactionStart,
            QueryStart = r.QueryStart,
            StateChange = r.StateChange,
            WaitEventType = r.WaitEventType,
            WaitEvent = r.WaitEvent,
            Query = SecretText.ScrubOrNull(r.Query),
            BlockedBy = r.BlockedBy,
        }).ToList());
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

    private sealed record Row(
        int Pid,
        string? State,
        uint? Database,
        uint? Role,
        string? Application,
        string? Client,
        DateTimeOffset? TransactionStart,
        DateTimeOffset? QueryStart,
        DateTimeOffset? StateChange,
        string? WaitEventType,
        string? WaitEvent,
        string? Query,
        int[] BlockedBy);
}
