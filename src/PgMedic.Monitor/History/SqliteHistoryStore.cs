using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using PgMedic.Core.Alerts;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Slo;

namespace PgMedic.Monitor.History;

/// <summary>
/// The default <see cref="IHistoryStore"/>: one SQLite file in WAL mode. Reads and writes are synchronous
/// underneath (SQLite is in-process); writes take turns through one gate.
/// </summary>
internal sealed partial class SqliteHistoryStore : IHistoryStore
{
    private const string Schema = """
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = NORMAL;
        CREATE TABLE IF NOT EXISTS samples (
            target TEXT NOT NULL, at INTEGER NOT NULL, probe_ok INTEGER NOT NULL, probe_reason TEXT, probe_ms REAL,
            collected INTEGER NOT NULL, clients INTEGER NOT NULL, usable INTEGER NOT NULL, max_connections INTEGER NOT NULL,
            percent REAL NOT NULL, by_state TEXT NOT NULL, by_application TEXT NOT NULL, findings TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS samples_target_at ON samples (target, at);
        CREATE TABLE IF NOT EXISTS alert_events (
            event_id TEXT PRIMARY KEY, target TEXT NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL, subject TEXT NOT NULL,
            state TEXT NOT NULL, at INTEGER NOT NULL, starts_at INTEGER NOT NULL, value REAL NOT NULL, summary TEXT NOT NULL, incident_id INTEGER);
        CREATE INDEX IF NOT EXISTS alert_events_at ON alert_events (at);
        CREATE TABLE IF NOT EXISTS active_alerts (
            target TEXT NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL, subject TEXT NOT NULL, state TEXT NOT NULL,
            since INTEGER NOT NULL, fired_at INTEGER, value REAL NOT NULL, summary TEXT NOT NULL,
            PRIMARY KEY (target, rule, severity, subject));
        CREATE TABLE IF NOT EXISTS incidents (
            id INTEGER PRIMARY KEY AUTOINCREMENT, target TEXT NOT NULL, event_id TEXT NOT NULL, rule TEXT NOT NULL,
            severity TEXT NOT NULL, at INTEGER NOT NULL, summary TEXT NOT NULL, body TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS incidents_at ON incidents (at);
        CREATE TABLE IF NOT EXISTS outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, webhook TEXT NOT NULL, body TEXT NOT NULL,
            created_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL,
            delivered_at INTEGER, given_up_at INTEGER, last_error TEXT, UNIQUE (event_id, webhook));
        CREATE INDEX IF NOT EXISTS outbox_due ON outbox (delivered_at, given_up_at, next_attempt_at);
        """;

    /// <summary>Columns added after the first release: appended to a history file written by an older monitor.</summary>
    private static readonly (string Table, string Column, string Type)[] AddedColumns =
    [
        ("samples", "app_failure_ratio", "REAL"),
        ("alert_events", "signal", "TEXT"),
        ("active_alerts", "signal", "TEXT"),
    ];

    /// <summary>The writer connection's prepared commands by statement (<see cref="InWriterTransaction"/>).</summary>
    private static readonly ConditionalWeakTable<SqliteConnection, Dictionary<string, SqliteCommand>> Prepared = new();

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private SqliteConnection? _writer;

    public SqliteHistoryStore(string path)
    {
        SqliteLibrary.Register();
        var full = Path.GetFullPath(path);
        if (Path.GetDirectoryName(full) is { } directory)
        {
            Directory.CreateDirectory(directory);
        }

        Location = full;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadWriteCreate, DefaultTimeout = 30, Pooling = true }.ToString();
        using var connection = Open();
        Execute(connection, null, Schema);
        Execute(connection, null, SloSchema);
        Execute(connection, null, ActivitySchema);
        foreach (var (table, column, type) in AddedColumns)
        {
            AddColumnIfMissing(connection, table, column, type);
        }
    }

    public string Location { get; }

    public async Task RecordPollAsync(
        string target,
        MonitorSample sample,
        SloEntry slo,
        IReadOnlyList<AlertTransition> transitions,
        IReadOnlyCollection<ActiveAlert> active,
        Func<AlertTransition, IncidentBody?> incidentFor,
        IReadOnlyList<(AlertTransition Transition, string Webhook, string Body)> notifications,
        CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            InWriterTransaction((connection, transaction) =>
            {
                Execute(connection, transaction, """
                    INSERT INTO samples (target, at, probe_ok, probe_reason, probe_ms, collected, clients, usable, max_connections, percent, by_state, by_application, findings, app_failure_ratio)
                    VALUES ($target, $at, $ok, $reason, $ms, $collected, $clients, $usable, $max, $percent, $byState, $byApp, $findings, $appRatio)
                    """,
                    ("$target", target), ("$at", Ms(sample.At)), ("$ok", sample.ProbeSucceeded), ("$reason", sample.ProbeReason), ("$ms", sample.ProbeLatencyMilliseconds),
                    ("$collected", sample.Collected), ("$clients", sample.ClientBackends), ("$usable", sample.UsableSlots), ("$max", sample.MaxConnections),
                    ("$percent", sample.PercentUsed),
                    ("$byState", JsonSerializer.Serialize(sample.ByState, MonitorJsonContext.Dialect.IReadOnlyDictionaryStringInt32)),
                    ("$byApp", JsonSerializer.Serialize(sample.ByApplication, MonitorJsonContext.Dialect.IReadOnlyListAppConnections)),
                    ("$findings", JsonSerializer.Serialize(sample.Findings, MonitorJsonContext.Dialect.IReadOnlyListSampleFinding)),
                    ("$appRatio", sample.ApplicationFailureRatio));
                RecordSlo(connection, transaction, target, slo);
                foreach (var t in transitions)
                {
                    long? incidentId = null;
                    if (t.State == AlertState.Firing && incidentFor(t) is { } incident)
                    {
                        incidentId = (long)Scalar(connection, transaction, """
                            INSERT INTO incidents (target, event_id, rule, severity, at, summary, body) VALUES ($target, $event, $rule, $severity, $at, $summary, $body) RETURNING id
                            """,
                            ("$target", target), ("$event", t.EventId), ("$rule", t.Key.Rule), ("$severity", SeverityName(t.Severity)), ("$at", Ms(t.At)), ("$summary", t.Summary),
                            ("$body", JsonSerializer.Serialize(incident, MonitorJsonContext.Dialect.IncidentBody)))!;
                    }

                    Execute(connection, transaction, """
                        INSERT INTO alert_events (event_id, target, rule, severity, subject, state, at, starts_at, value, summary, incident_id, signal)
                        VALUES ($event, $target, $rule, $severity, $subject, $state, $at, $starts, $value, $summary, $incident, $signal)
                        """,
                        ("$event", t.EventId), ("$target", target), ("$rule", t.Key.Rule), ("$severity", SeverityName(t.Severity)), ("$subject", t.Key.Subject),
                        ("$state", StateName(t.State)), ("$at", Ms(t.At)), ("$starts", Ms(t.StartsAt)), ("$value", t.Value), ("$summary", t.Summary), ("$incident", incidentId),
                        ("$signal", SignalName(t.Signal)));
                }

                foreach (var (t, webhook, body) in notifications)
                {
                    Execute(connection, transaction, """
                        INSERT OR IGNORE INTO outbox (event_id, webhook, body, created_at, next_attempt_at) VALUES ($event, $webhook, $body, $at, $at)
                        """,
                        ("$event", t.EventId), ("$webhook", webhook), ("$body", body), ("$at", Ms(t.At)));
                }

                Execute(connection, transaction, "DELETE FROM active_alerts WHERE target = $target", ("$target", target));
                foreach (var a in active)
                {
                    Execute(connection, transaction, """
                        INSERT INTO active_alerts (target, rule, severity, subject, state, since, fired_at, value, summary, signal)
                        VALUES ($target, $rule, $severity, $subject, $state, $since, $fired, $value, $summary, $signal)
                        """,
                        ("$target", target), ("$rule", a.Key.Rule), ("$severity", SeverityName(a.Key.Severity)), ("$subject", a.Key.Subject), ("$state", StateName(a.State)),
                        ("$since", Ms(a.Since)), ("$fired", a.FiredAt is { } f ? Ms(f) : null), ("$value", a.Value), ("$summary", a.Summary), ("$signal", SignalName(a.Signal)));
                }
            });
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>A target removed from the monitor: its closing alert events and their notifications, and no active alert left.</summary>
    public async Task RecordRemovalAsync(
        string target,
        IReadOnlyList<AlertTransition> transitions,
        IReadOnlyList<(AlertTransition Transition, string Webhook, string Body)> notifications,
        CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var connection = Open();
            using var transaction = connection.BeginTransaction();
            foreach (var t in transitions)
            {
                Execute(connection, transaction, """
                    INSERT INTO alert_events (event_id, target, rule, severity, subject, state, at, starts_at, value, summary, incident_id, signal)
                    VALUES ($event, $target, $rule, $severity, $subject, $state, $at, $starts, $value, $summary, NULL, $signal)
                    """,
                    ("$event", t.EventId), ("$target", target), ("$rule", t.Key.Rule), ("$severity", SeverityName(t.Severity)), ("$subject", t.Key.Subject),
                    ("$state", StateName(t.State)), ("$at", Ms(t.At)), ("$starts", Ms(t.StartsAt)), ("$value", t.Value), ("$summary", t.Summary), ("$signal", SignalName(t.Signal)));
            }

            foreach (var (t, webhook, body) in notifications)
            {
                Execute(connection, transaction, "INSERT OR IGNORE INTO outbox (event_id, webhook, body, created_at, next_attempt_at) VALUES ($event, $webhook, $body, $at, $at)",
                    ("$event", t.EventId), ("$webhook", webhook), ("$body", body), ("$at", Ms(t.At)));
            }

            Execute(connection, transaction, "DELETE FROM active_alerts WHERE target = $target", ("$target", target));
            transaction.Commit();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public Task<IReadOnlyList<ActiveAlert>> ActiveAlertsAsync(string? target, CancellationToken cancellationToken) => Task.FromResult(ActiveAlerts(target));

    public Task<IReadOnlyList<MonitorSample>> SamplesAsync(string target, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
        Task.FromResult(Samples(target, from, to, limit));

    public Task<IReadOnlyList<StoredAlertEvent>> AlertEventsAsync(string? target, DateTimeOffset from, int limit, CancellationToken cancellationToken) =>
        Task.FromResult(AlertEvents(target, from, limit));

    public Task<IReadOnlyList<StoredIncident>> IncidentsAsync(string? target, int limit, CancellationToken cancellationToken) => Task.FromResult(Incidents(target, limit));

    public Task<StoredIncident?> IncidentAsync(long id, CancellationToken cancellationToken) => Task.FromResult(Incident(id));

    public Task<IReadOnlyList<OutboxItem>> DueNotificationsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) => Task.FromResult(DueNotifications(now, limit));

    public Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) => Task.FromResult(NextDue());

    public Task<int> PendingNotificationsAsync(CancellationToken cancellationToken) => Task.FromResult(PendingNotifications());

    private IReadOnlyList<ActiveAlert> ActiveAlerts(string? target)
    {
        using var connection = Open();
        return Query(connection, "SELECT target, rule, severity, subject, state, since, fired_at, value, summary, signal FROM active_alerts WHERE $target IS NULL OR target = $target ORDER BY since",
            r => new ActiveAlert(
                new AlertKey(r.GetString(0), r.GetString(1), ParseSeverity(r.GetString(2)), r.GetString(3)),
                ParseState(r.GetString(4)),
                FromMs(r.GetInt64(5)),
                r.IsDBNull(6) ? null : FromMs(r.GetInt64(6)),
                r.GetDouble(7),
                r.GetString(8))
            {
                Signal = ParseSignal(r, 9),
            },
            ("$target", target));
    }

    private IReadOnlyList<MonitorSample> Samples(string target, DateTimeOffset from, DateTimeOffset to, int limit)
    {
        using var connection = Open();
        return Query(connection, """
            SELECT at, probe_ok, probe_reason, probe_ms, collected, clients, usable, max_connections, percent, by_state, by_application, findings, app_failure_ratio
            FROM (SELECT * FROM samples WHERE target = $target AND at >= $from AND at <= $to ORDER BY at DESC LIMIT $limit) ORDER BY at
            """,
            r => SampleRows.Sample(r, FromMs(r.GetInt64(0))),
            ("$target", target), ("$from", Ms(from)), ("$to", Ms(to)), ("$limit", limit));
    }

    public Task<IReadOnlyList<Core.Capacity.UsagePoint>> UsageAsync(string target, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        using var connection = Open();
        IReadOnlyList<Core.Capacity.UsagePoint> points = Query(connection, """
            SELECT at, clients, usable, by_state, by_application FROM samples WHERE target = $target AND at >= $from AND at <= $to AND collected = 1 ORDER BY at
            """,
            r => SampleRows.Usage(r, FromMs(r.GetInt64(0))),
            ("$target", target), ("$from", Ms(from)), ("$to", Ms(to)));
        return Task.FromResult(points);
    }

    private IReadOnlyList<StoredAlertEvent> AlertEvents(string? target, DateTimeOffset from, int limit)
    {
        using var connection = Open();
        return Query(connection, """
            SELECT event_id, target, rule, severity, subject, state, at, starts_at, value, summary, incident_id, signal FROM alert_events
            WHERE ($target IS NULL OR target = $target) AND at >= $from ORDER BY at DESC, rowid DESC LIMIT $limit
            """,
            r => new StoredAlertEvent(r.GetString(0), r.GetString(1), r.GetString(2), ParseSeverity(r.GetString(3)), r.GetString(4), ParseState(r.GetString(5)),
                FromMs(r.GetInt64(6)), FromMs(r.GetInt64(7)), r.GetDouble(8), r.GetString(9), r.IsDBNull(10) ? null : r.GetInt64(10), ParseSignal(r, 11)),
            ("$target", target), ("$from", Ms(from)), ("$limit", limit));
    }

    private IReadOnlyList<StoredIncident> Incidents(string? target, int limit)
    {
        using var connection = Open();
        return Query(connection, "SELECT id, target, event_id, rule, severity, at, summary FROM incidents WHERE $target IS NULL OR target = $target ORDER BY id DESC LIMIT $limit",
            r => new StoredIncident(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), ParseSeverity(r.GetString(4)), FromMs(r.GetInt64(5)), r.GetString(6), null),
            ("$target", target), ("$limit", limit));
    }

    private StoredIncident? Incident(long id)
    {
        using var connection = Open();
        return Query(connection, "SELECT target, event_id, rule, severity, at, summary, body FROM incidents WHERE id = $id",
            r => new StoredIncident(id, r.GetString(0), r.GetString(1), r.GetString(2), ParseSeverity(r.GetString(3)), FromMs(r.GetInt64(4)), r.GetString(5),
                JsonSerializer.Deserialize(UpgradedBody(r.GetString(6)), MonitorJsonContext.Dialect.IncidentBody)!),
            ("$id", id)).FirstOrDefault();
    }

    /// <summary>
    /// Incident snapshots saved before the JSON vocabulary (docs/json.md) name a session's client address
    /// <c>client</c>. Only a key can read <c>"client":</c>: inside a string value the quotes are escaped.
    /// </summary>
    internal static string UpgradedBody(string body) => body.Replace("\"client\":", "\"clientAddress\":", StringComparison.Ordinal);

    private IReadOnlyList<OutboxItem> DueNotifications(DateTimeOffset now, int limit)
    {
        using var connection = Open();
        return Query(connection, """
            SELECT id, event_id, webhook, body, created_at, attempts FROM outbox o
            WHERE delivered_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= $now
              AND NOT EXISTS (
                SELECT 1 FROM outbox p WHERE p.webhook = o.webhook AND p.id < o.id
                AND p.delivered_at IS NULL AND p.given_up_at IS NULL AND p.next_attempt_at > $now)
            ORDER BY id LIMIT $limit
            """,
            r => new OutboxItem(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), FromMs(r.GetInt64(4)), r.GetInt32(5)),
            ("$now", Ms(now)), ("$limit", limit));
    }

    private DateTimeOffset? NextDue()
    {
        using var connection = Open();
        return Scalar(connection, null, "SELECT min(next_attempt_at) FROM outbox WHERE delivered_at IS NULL AND given_up_at IS NULL") is long ms ? FromMs(ms) : null;
    }

    private int PendingNotifications()
    {
        using var connection = Open();
        return Convert.ToInt32(Scalar(connection, null, "SELECT count(*) FROM outbox WHERE delivered_at IS NULL AND given_up_at IS NULL"), CultureInfo.InvariantCulture);
    }

    public Task MarkDeliveredAsync(long id, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync("UPDATE outbox SET delivered_at = $at, attempts = attempts + 1, last_error = NULL WHERE id = $id", cancellationToken, ("$id", id), ("$at", Ms(at)));

    public Task MarkFailedAsync(long id, DateTimeOffset next, string error, CancellationToken cancellationToken) =>
        WriteAsync("UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $next, last_error = $error WHERE id = $id", cancellationToken, ("$id", id), ("$next", Ms(next)), ("$error", error));

    public Task MarkGivenUpAsync(long id, DateTimeOffset at, string error, CancellationToken cancellationToken) =>
        WriteAsync("UPDATE outbox SET given_up_at = $at, last_error = $error WHERE id = $id", cancellationToken, ("$id", id), ("$at", Ms(at)), ("$error", error));

    public Task PruneAsync(PruneCutoffs cutoffs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        return WriteAsync("""
            DELETE FROM samples WHERE at < $before;
            DELETE FROM alert_events WHERE at < $before;
            DELETE FROM incidents WHERE at < $before;
            DELETE FROM outbox WHERE created_at < $before AND (delivered_at IS NOT NULL OR given_up_at IS NOT NULL);
            DELETE FROM slo_minutes WHERE minute < $slo;
            DELETE FROM activity_runs WHERE start < $activity;
            """, cancellationToken, ("$before", Ms(cutoffs.History)), ("$slo", Ms(cutoffs.Slo)), ("$activity", Ms(cutoffs.Sessions)));
    }

    public void Dispose()
    {
        CloseWriter();
        _writeGate.Dispose();
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
    }

    private static string SeverityName(Severity severity) => HistoryNames.SeverityName(severity);

    private static string StateName(AlertState state) => HistoryNames.StateName(state);

    private static string? SignalName(FailureSignal? signal) => HistoryNames.SignalName(signal);

    private static FailureSignal? ParseSignal(SqliteDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : Enum.Parse<FailureSignal>(reader.GetString(column), ignoreCase: true);

    private static void AddColumnIfMissing(SqliteConnection connection, string table, string column, string type)
    {
        var present = Query(connection, $"SELECT name FROM pragma_table_info('{table}')", r => r.GetString(0)).Contains(column, StringComparer.OrdinalIgnoreCase);
        if (!present)
        {
            Execute(connection, null, $"ALTER TABLE {table} ADD COLUMN {column} {type}");
        }
    }

    private static Severity ParseSeverity(string text) => Enum.Parse<Severity>(text, ignoreCase: true);

    private static AlertState ParseState(string text) => Enum.Parse<AlertState>(text, ignoreCase: true);

    private static long Ms(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    private static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private async Task WriteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var connection = Open();
            Execute(connection, null, sql, parameters);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// Runs one write transaction on the writer connection, which stays open with every statement it ran prepared:
    /// a poll's write parsed its statements anew each time, 40 times a second at 200 targets. Writes take turns
    /// through the write gate, so one connection serves them all; a write that fails closes it and the next opens
    /// another.
    /// </summary>
    private void InWriterTransaction(Action<SqliteConnection, SqliteTransaction> write)
    {
        if (_writer is null)
        {
            _writer = Open();
            Prepared.Add(_writer, new Dictionary<string, SqliteCommand>(StringComparer.Ordinal));
        }

        try
        {
            using var transaction = _writer.BeginTransaction();
            write(_writer, transaction);
            transaction.Commit();
        }
        catch
        {
            CloseWriter();
            throw;
        }
    }

    private void CloseWriter()
    {
        if (_writer is not { } writer)
        {
            return;
        }

        if (Prepared.TryGetValue(writer, out var statements))
        {
            foreach (var command in statements.Values)
            {
                command.Dispose();
            }

            Prepared.Remove(writer);
        }

        writer.Dispose();
        _writer = null;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
#pragma warning disable CA2100 // every statement is a constant of this class; values go through parameters
        command.CommandText = sql;
#pragma warning restore CA2100
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        if (Prepared.TryGetValue(connection, out var statements))
        {
            Reused(statements, connection, transaction, sql, parameters).ExecuteNonQuery();
            return;
        }

        using var command = Command(connection, transaction, sql, parameters);
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        if (Prepared.TryGetValue(connection, out var statements))
        {
            return Reused(statements, connection, transaction, sql, parameters).ExecuteScalar() is var reused and not DBNull ? reused : null;
        }

        using var command = Command(connection, transaction, sql, parameters);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    /// <summary>The writer's command for <paramref name="sql"/>, prepared the first time it runs and bound anew each time.</summary>
    private static SqliteCommand Reused(Dictionary<string, SqliteCommand> statements, SqliteConnection connection, SqliteTransaction? transaction, string sql, (string Name, object? Value)[] parameters)
    {
        if (!statements.TryGetValue(sql, out var command))
        {
            command = Command(connection, transaction, sql, []);
            statements[sql] = command;
        }

        command.Transaction = transaction;
        command.Parameters.Clear();
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private static List<T> Query<T>(SqliteConnection connection, string sql, Func<SqliteDataReader, T> map, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, null, sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(reader));
        }

        return rows;
    }
}

/// <summary>What the server looked like when an alert fired: <c>pg_stat_activity</c> and the blocking edges.</summary>
internal sealed record IncidentBody(DateTimeOffset? TakenAt, IReadOnlyList<Api.SessionView> Sessions, IReadOnlyList<Api.ChainView> BlockingChains, IReadOnlyList<Api.EdgeView> BlockingEdges, string? Error);
