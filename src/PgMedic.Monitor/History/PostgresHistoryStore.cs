using System.Globalization;
using System.Text.Json;
using Npgsql;
using PgMedic.Core.Alerts;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Slo;
using PgMedic.Postgres.Targets;

namespace PgMedic.Monitor.History;

/// <summary>
/// The history in a PostgreSQL database the platform team already runs (<c>history.connection</c>), shared by
/// every instance of a sharded monitor: each writes its own targets, and any instance's API and dashboard read
/// all of them. PgMedic creates and migrates its schema <c>pgmedic</c> (versions in <c>pgmedic.migrations</c>,
/// applied under an advisory lock so instances starting together do not race). Samples, alert events and
/// incidents, the objective's minutes and the session history's runs are range-partitioned by day (declarative
/// partitioning); retention drops whole partitions, so pruning never deletes row by row. The outbox is the writer's own: each instance delivers the notifications
/// of its shard.
/// </summary>
internal sealed partial class PostgresHistoryStore : IHistoryStore
{
    private const long MigrationLock = 0x70676d6564696301; // "pgmedic" + 1: one lock for every instance's schema changes.

    /// <summary>The schema, one step per version: a step never changes once released; a new one is appended.</summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE pgmedic.samples (
            target text NOT NULL, at timestamptz NOT NULL, probe_ok boolean NOT NULL, probe_reason text, probe_ms double precision,
            collected boolean NOT NULL, clients integer NOT NULL, usable integer NOT NULL, max_connections integer NOT NULL,
            percent double precision NOT NULL, by_state jsonb NOT NULL, by_application jsonb NOT NULL, findings jsonb NOT NULL,
            app_failure_ratio double precision) PARTITION BY RANGE (at);
        CREATE INDEX samples_target_at ON pgmedic.samples (target, at);
        CREATE TABLE pgmedic.alert_events (
            event_id text NOT NULL, target text NOT NULL, rule text NOT NULL, severity text NOT NULL, subject text NOT NULL,
            state text NOT NULL, at timestamptz NOT NULL, starts_at timestamptz NOT NULL, value double precision NOT NULL,
            summary text NOT NULL, incident_id bigint, signal text, PRIMARY KEY (event_id, at)) PARTITION BY RANGE (at);
        CREATE INDEX alert_events_at ON pgmedic.alert_events (at);
        CREATE SEQUENCE pgmedic.incident_ids;
        CREATE TABLE pgmedic.incidents (
            id bigint NOT NULL DEFAULT nextval('pgmedic.incident_ids'), target text NOT NULL, event_id text NOT NULL, rule text NOT NULL,
            severity text NOT NULL, at timestamptz NOT NULL, summary text NOT NULL, body jsonb NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
        CREATE TABLE pgmedic.active_alerts (
            target text NOT NULL, rule text NOT NULL, severity text NOT NULL, subject text NOT NULL, state text NOT NULL,
            since timestamptz NOT NULL, fired_at timestamptz, value double precision NOT NULL, summary text NOT NULL, signal text,
            PRIMARY KEY (target, rule, severity, subject));
        CREATE TABLE pgmedic.outbox (
            id bigserial PRIMARY KEY, shard integer NOT NULL, event_id text NOT NULL, webhook text NOT NULL, body text NOT NULL,
            created_at timestamptz NOT NULL, attempts integer NOT NULL DEFAULT 0, next_attempt_at timestamptz NOT NULL,
            delivered_at timestamptz, given_up_at timestamptz, last_error text, UNIQUE (event_id, webhook));
        CREATE INDEX outbox_due ON pgmedic.outbox (shard, next_attempt_at) WHERE delivered_at IS NULL AND given_up_at IS NULL;
        """,
        """
        CREATE TABLE pgmedic.slo_minutes (
            target text NOT NULL, minute timestamptz NOT NULL, good bigint NOT NULL, bad bigint NOT NULL, observed_ms bigint NOT NULL,
            PRIMARY KEY (target, minute)) PARTITION BY RANGE (minute);
        CREATE TABLE pgmedic.targets (
            name text PRIMARY KEY, connection text NOT NULL, objective double precision NOT NULL, window_ms bigint NOT NULL, source text NOT NULL,
            poll_ms bigint NOT NULL, sample_ms bigint, since timestamptz NOT NULL);
        CREATE TABLE pgmedic.activity_keys (
            target text NOT NULL, id integer NOT NULL, state text NOT NULL, wait_event_type text, wait_event text,
            application text, user_name text, client_address text, database text, fingerprint bigint, PRIMARY KEY (target, id));
        CREATE TABLE pgmedic.query_texts (fingerprint bigint PRIMARY KEY, query text NOT NULL);
        CREATE TABLE pgmedic.activity_runs (
            target text NOT NULL, start timestamptz NOT NULL, resolution bigint NOT NULL, last timestamptz NOT NULL, body bytea NOT NULL,
            PRIMARY KEY (target, start, resolution)) PARTITION BY RANGE (start);
        """,
    ];

    private static readonly string[] Partitioned = ["samples", "alert_events", "incidents", "slo_minutes", "activity_runs"];

    private readonly NpgsqlDataSource _source;
    private readonly int _shard;
    private readonly TimeProvider _time;

    private PostgresHistoryStore(NpgsqlDataSource source, ConnectionTarget target, int shard, TimeProvider time)
    {
        _source = source;
        _shard = shard;
        _time = time;
        Location = target.Masked;
    }

    /// <summary>The masked URL of the history database.</summary>
    public string Location { get; }

    /// <summary>The schema version this build writes.</summary>
    public static int SchemaVersion => Migrations.Length;

    /// <summary>Connects, creates or migrates the schema, and makes sure the partitions around today exist.</summary>
    /// <exception cref="HistoryStoreException">The database cannot be reached or migrated; the message says why, without the password.</exception>
    public static PostgresHistoryStore Open(ConnectionTarget target, int shard, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(target);
        var builder = new NpgsqlDataSourceBuilder(target.ToNpgsqlConnectionString("pgmedic-history", TimeSpan.FromSeconds(10), pooling: true) + ";Maximum Pool Size=4;Command Timeout=30");
        builder.ConfigureTypeLoading(options => options.EnableTypeLoading(false));
        var source = builder.Build();
        var store = new PostgresHistoryStore(source, target, shard, time);
        try
        {
            store.Migrate();
            store.EnsurePartitions(time.GetUtcNow());
            return store;
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException)
        {
            source.Dispose();
            var message = ex.Message.ReplaceLineEndings(" ");
            if (target.Password is { Length: > 0 } password)
            {
                message = message.Replace(password, "***", StringComparison.Ordinal);
            }

            throw new HistoryStoreException($"history.connection {target.Masked}: {message}", ex);
        }
    }

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
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(transitions);
        ArgumentNullException.ThrowIfNull(active);
        ArgumentNullException.ThrowIfNull(incidentFor);
        ArgumentNullException.ThrowIfNull(notifications);
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(Command("""
            INSERT INTO pgmedic.samples (target, at, probe_ok, probe_reason, probe_ms, collected, clients, usable, max_connections, percent, by_state, by_application, findings, app_failure_ratio)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12::jsonb, $13::jsonb, $14)
            """,
            target, sample.At.UtcDateTime, sample.ProbeSucceeded, sample.ProbeReason, sample.ProbeLatencyMilliseconds, sample.Collected, sample.ClientBackends, sample.UsableSlots,
            sample.MaxConnections, sample.PercentUsed,
            JsonSerializer.Serialize(sample.ByState, MonitorJsonContext.Dialect.IReadOnlyDictionaryStringInt32),
            JsonSerializer.Serialize(sample.ByApplication, MonitorJsonContext.Dialect.IReadOnlyListAppConnections),
            JsonSerializer.Serialize(sample.Findings, MonitorJsonContext.Dialect.IReadOnlyListSampleFinding),
            sample.ApplicationFailureRatio));
        AddSlo(batch, target, slo);
        foreach (var t in transitions)
        {
            var incident = t.State == AlertState.Firing ? incidentFor(t) : null;
            batch.BatchCommands.Add(incident is null
                ? Command(InsertEvent("NULL"), EventValues(target, t))
                : Command(
                    $"""
                    WITH incident AS (
                        INSERT INTO pgmedic.incidents (target, event_id, rule, severity, at, summary, body) VALUES ($1, $2, $3, $4, $7, $10, $12::jsonb) RETURNING id)
                    {InsertEvent("(SELECT id FROM incident)")}
                    """,
                    [.. EventValues(target, t), JsonSerializer.Serialize(incident, MonitorJsonContext.Dialect.IncidentBody)]));
        }

        AddOutbox(batch, notifications);
        batch.BatchCommands.Add(Command("DELETE FROM pgmedic.active_alerts WHERE target = $1", target));
        foreach (var a in active)
        {
            batch.BatchCommands.Add(Command("""
                INSERT INTO pgmedic.active_alerts (target, rule, severity, subject, state, since, fired_at, value, summary, signal)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                """,
                target, a.Key.Rule, HistoryNames.SeverityName(a.Key.Severity), a.Key.Subject, HistoryNames.StateName(a.State), a.Since.UtcDateTime, a.FiredAt?.UtcDateTime,
                a.Value, a.Summary, HistoryNames.SignalName(a.Signal)));
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task RecordRemovalAsync(
        string target,
        IReadOnlyList<AlertTransition> transitions,
        IReadOnlyList<(AlertTransition Transition, string Webhook, string Body)> notifications,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        ArgumentNullException.ThrowIfNull(notifications);
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var t in transitions)
        {
            batch.BatchCommands.Add(Command(InsertEvent("NULL"), EventValues(target, t)));
        }

        AddOutbox(batch, notifications);
        batch.BatchCommands.Add(Command("DELETE FROM pgmedic.active_alerts WHERE target = $1", target));
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<ActiveAlert>> ActiveAlertsAsync(string? target, CancellationToken cancellationToken) =>
        QueryAsync(
            "SELECT target, rule, severity, subject, state, since, fired_at, value, summary, signal FROM pgmedic.active_alerts WHERE $1::text IS NULL OR target = $1 ORDER BY since",
            r => new ActiveAlert(
                new AlertKey(r.GetString(0), r.GetString(1), ParseSeverity(r.GetString(2)), r.GetString(3)),
                ParseState(r.GetString(4)),
                At(r, 5),
                r.IsDBNull(6) ? null : At(r, 6),
                r.GetDouble(7),
                r.GetString(8))
            {
                Signal = ParseSignal(r, 9),
            },
            cancellationToken,
            target);

    public Task<IReadOnlyList<MonitorSample>> SamplesAsync(string target, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
        QueryAsync(
            """
            SELECT at, probe_ok, probe_reason, probe_ms, collected, clients, usable, max_connections, percent, by_state::text, by_application::text, findings::text, app_failure_ratio
            FROM (SELECT * FROM pgmedic.samples WHERE target = $1 AND at >= $2 AND at <= $3 ORDER BY at DESC LIMIT $4) latest ORDER BY at
            """,
            r => SampleRows.Sample(r, At(r, 0)),
            cancellationToken,
            target, from.UtcDateTime, to.UtcDateTime, limit);

    public Task<IReadOnlyList<Core.Capacity.UsagePoint>> UsageAsync(string target, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        QueryAsync(
            "SELECT at, clients, usable, by_state::text, by_application::text FROM pgmedic.samples WHERE target = $1 AND at >= $2 AND at <= $3 AND collected ORDER BY at",
            r => SampleRows.Usage(r, At(r, 0)),
            cancellationToken,
            target, from.UtcDateTime, to.UtcDateTime);

    public Task<IReadOnlyList<StoredAlertEvent>> AlertEventsAsync(string? target, DateTimeOffset from, int limit, CancellationToken cancellationToken) =>
        QueryAsync(
            """
            SELECT event_id, target, rule, severity, subject, state, at, starts_at, value, summary, incident_id, signal FROM pgmedic.alert_events
            WHERE ($1::text IS NULL OR target = $1) AND at >= $2 ORDER BY at DESC, event_id DESC LIMIT $3
            """,
            r => new StoredAlertEvent(r.GetString(0), r.GetString(1), r.GetString(2), ParseSeverity(r.GetString(3)), r.GetString(4), ParseState(r.GetString(5)),
                At(r, 6), At(r, 7), r.GetDouble(8), r.GetString(9), r.IsDBNull(10) ? null : r.GetInt64(10), ParseSignal(r, 11)),
            cancellationToken,
            target, from.UtcDateTime, limit);

    public Task<IReadOnlyList<StoredIncident>> IncidentsAsync(string? target, int limit, CancellationToken cancellationToken) =>
        QueryAsync(
            "SELECT id, target, event_id, rule, severity, at, summary FROM pgmedic.incidents WHERE $1::text IS NULL OR target = $1 ORDER BY id DESC LIMIT $2",
            r => new StoredIncident(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), ParseSeverity(r.GetString(4)), At(r, 5), r.GetString(6), null),
            cancellationToken,
            target, limit);

    public async Task<StoredIncident?> IncidentAsync(long id, CancellationToken cancellationToken) =>
        (await QueryAsync(
            "SELECT target, event_id, rule, severity, at, summary, body::text FROM pgmedic.incidents WHERE id = $1",
            r => new StoredIncident(id, r.GetString(0), r.GetString(1), r.GetString(2), ParseSeverity(r.GetString(3)), At(r, 4), r.GetString(5),
                JsonSerializer.Deserialize(SqliteHistoryStore.UpgradedBody(r.GetString(6)), MonitorJsonContext.Dialect.IncidentBody)),
            cancellationToken,
            id).ConfigureAwait(false)).FirstOrDefault();

    public Task<IReadOnlyList<OutboxItem>> DueNotificationsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        QueryAsync(
            """
            SELECT id, event_id, webhook, body, created_at, attempts FROM pgmedic.outbox o
            WHERE shard = $1 AND delivered_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= $2
              AND NOT EXISTS (
                SELECT 1 FROM pgmedic.outbox p WHERE p.shard = o.shard AND p.webhook = o.webhook AND p.id < o.id
                AND p.delivered_at IS NULL AND p.given_up_at IS NULL AND p.next_attempt_at > $2)
            ORDER BY id LIMIT $3
            """,
            r => new OutboxItem(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), At(r, 4), r.GetInt32(5)),
            cancellationToken,
            _shard, now.UtcDateTime, limit);

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) =>
        (await QueryAsync(
            "SELECT min(next_attempt_at) FROM pgmedic.outbox WHERE shard = $1 AND delivered_at IS NULL AND given_up_at IS NULL",
            r => r.IsDBNull(0) ? (DateTimeOffset?)null : At(r, 0),
            cancellationToken,
            _shard).ConfigureAwait(false)).FirstOrDefault();

    public async Task<int> PendingNotificationsAsync(CancellationToken cancellationToken) =>
        (await QueryAsync(
            "SELECT count(*)::integer FROM pgmedic.outbox WHERE shard = $1 AND delivered_at IS NULL AND given_up_at IS NULL",
            r => r.GetInt32(0),
            cancellationToken,
            _shard).ConfigureAwait(false))[0];

    public Task MarkDeliveredAsync(long id, DateTimeOffset at, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE pgmedic.outbox SET delivered_at = $2, attempts = attempts + 1, last_error = NULL WHERE id = $1", cancellationToken, id, at.UtcDateTime);

    public Task MarkFailedAsync(long id, DateTimeOffset next, string error, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE pgmedic.outbox SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3 WHERE id = $1", cancellationToken, id, next.UtcDateTime, error);

    public Task MarkGivenUpAsync(long id, DateTimeOffset at, string error, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE pgmedic.outbox SET given_up_at = $2, last_error = $3 WHERE id = $1", cancellationToken, id, at.UtcDateTime, error);

    /// <summary>
    /// Retention by partition: drops each day's partition once all of it is older than its table's cutoff
    /// (so up to a day more than the retention is kept) — samples, alert events and incidents at
    /// <see cref="PruneCutoffs.History"/>, the objective's minutes at <see cref="PruneCutoffs.Slo"/>, session
    /// runs at <see cref="PruneCutoffs.Sessions"/> — creates the coming days' partitions, and deletes delivered
    /// or abandoned notifications of this shard past the history's retention.
    /// </summary>
    public async Task PruneAsync(PruneCutoffs cutoffs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        await EnsurePartitionsAsync(_time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        var partitions = await QueryAsync(
            """
            SELECT c.relname, p.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
            JOIN pg_namespace n ON n.oid = p.relnamespace WHERE n.nspname = 'pgmedic' AND c.relkind = 'r' AND p.relname = ANY($1)
            """,
            r => (Partition: r.GetString(0), Table: r.GetString(1)),
            cancellationToken,
            new object?[] { Partitioned }).ConfigureAwait(false);
        foreach (var (partition, table) in partitions)
        {
            var cutoff = table switch
            {
                "slo_minutes" => cutoffs.Slo,
                "activity_runs" => cutoffs.Sessions,
                _ => cutoffs.History,
            };
            if (DayOf(partition) is { } day && day.AddDays(1) <= cutoff.UtcDateTime)
            {
                await ExecuteAsync($"DROP TABLE IF EXISTS pgmedic.{partition}", cancellationToken).ConfigureAwait(false);
            }
        }

        await ExecuteAsync("DELETE FROM pgmedic.outbox WHERE shard = $1 AND created_at < $2 AND (delivered_at IS NOT NULL OR given_up_at IS NOT NULL)", cancellationToken, _shard, cutoffs.History.UtcDateTime).ConfigureAwait(false);
    }

    /// <summary>The partitions of each partitioned table, by day, as PostgreSQL lists them (for tests and the docs' retention claim).</summary>
    public Task<IReadOnlyList<string>> PartitionsAsync(CancellationToken cancellationToken) =>
        QueryAsync(
            """
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
            JOIN pg_namespace n ON n.oid = p.relnamespace WHERE n.nspname = 'pgmedic' AND c.relkind = 'r' ORDER BY 1
            """,
            r => r.GetString(0),
            cancellationToken);

    public void Dispose() => _source.Dispose();

    private void Migrate()
    {
        using var connection = _source.OpenConnection();
        using var transaction = connection.BeginTransaction();
        Run(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLock})");
        Run(connection, transaction, "CREATE SCHEMA IF NOT EXISTS pgmedic; CREATE TABLE IF NOT EXISTS pgmedic.migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
        using var current = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM pgmedic.migrations", connection, transaction);
        var version = Convert.ToInt32(current.ExecuteScalar(), CultureInfo.InvariantCulture);
        if (version > Migrations.Length)
        {
            throw new HistoryStoreException($"the history schema is at version {version}, newer than this PgMedic knows ({Migrations.Length}): upgrade PgMedic on every instance");
        }

        for (var step = version; step < Migrations.Length; step++)
        {
            Run(connection, transaction, Migrations[step]);
            Run(connection, transaction, $"INSERT INTO pgmedic.migrations (version) VALUES ({step + 1})");
        }

        transaction.Commit();
    }

    /// <summary>Yesterday's, today's and the next two days' partitions of every partitioned table (UTC days).</summary>
    private void EnsurePartitions(DateTimeOffset now)
    {
        using var connection = _source.OpenConnection();
        using var transaction = connection.BeginTransaction();
        foreach (var sql in PartitionStatements(now))
        {
            Run(connection, transaction, sql);
        }

        transaction.Commit();
    }

    /// <summary>
    /// The same, for a running monitor: asynchronously, because serve runs socket completions on the thread that saw
    /// them, and a synchronous read there waits for that very thread.
    /// </summary>
    private async Task EnsurePartitionsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var sql in PartitionStatements(now))
        {
#pragma warning disable CA2100 // the schema's own statements
            await using var command = new NpgsqlCommand(sql, connection, transaction);
#pragma warning restore CA2100
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static IEnumerable<string> PartitionStatements(DateTimeOffset now)
    {
        yield return $"SELECT pg_advisory_xact_lock({MigrationLock})";
        var today = now.UtcDateTime.Date;
        foreach (var table in Partitioned)
        {
            for (var day = today.AddDays(-1); day <= today.AddDays(2); day = day.AddDays(1))
            {
                yield return string.Create(CultureInfo.InvariantCulture,
                    $"CREATE TABLE IF NOT EXISTS pgmedic.{table}_p{day:yyyyMMdd} PARTITION OF pgmedic.{table} FOR VALUES FROM ('{day:yyyy-MM-dd}') TO ('{day.AddDays(1):yyyy-MM-dd}')");
            }
        }
    }

    private static DateTime? DayOf(string partition) =>
        partition.LastIndexOf("_p", StringComparison.Ordinal) is var at and >= 0
        && DateTime.TryParseExact(partition[(at + 2)..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var day)
            ? day
            : null;

    private static string InsertEvent(string incident) => $"""
        INSERT INTO pgmedic.alert_events (event_id, target, rule, severity, subject, state, at, starts_at, value, summary, incident_id, signal)
        VALUES ($2, $1, $3, $4, $5, $6, $7, $8, $9, $10, {incident}, $11)
        """;

    /// <summary>$1 target, $2 event, $3 rule, $4 severity, $5 subject, $6 state, $7 at, $8 starts, $9 value, $10 summary, $11 signal.</summary>
    private static object?[] EventValues(string target, AlertTransition t) =>
    [
        target, t.EventId, t.Key.Rule, HistoryNames.SeverityName(t.Severity), t.Key.Subject, HistoryNames.StateName(t.State),
        t.At.UtcDateTime, t.StartsAt.UtcDateTime, t.Value, t.Summary, HistoryNames.SignalName(t.Signal),
    ];

    private void AddOutbox(NpgsqlBatch batch, IReadOnlyList<(AlertTransition Transition, string Webhook, string Body)> notifications)
    {
        foreach (var (t, webhook, body) in notifications)
        {
            batch.BatchCommands.Add(Command(
                "INSERT INTO pgmedic.outbox (shard, event_id, webhook, body, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (event_id, webhook) DO NOTHING",
                _shard, t.EventId, webhook, body, t.At.UtcDateTime));
        }
    }

    private static NpgsqlBatchCommand Command(string sql, params object?[] values)
    {
#pragma warning disable CA2100 // every statement is a constant of this class; values go through parameters
        var command = new NpgsqlBatchCommand(sql);
#pragma warning restore CA2100
        foreach (var value in values)
        {
            command.Parameters.Add(Parameter(value));
        }

        return command;
    }

    private static NpgsqlParameter Parameter(object? value) => value switch
    {
        // Untyped: the server takes the column's type (a typed text null would not go into a timestamptz).
        null => new NpgsqlParameter { Value = DBNull.Value },
        string[] texts => new NpgsqlParameter { Value = texts, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text },
        long[] numbers => new NpgsqlParameter { Value = numbers, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Bigint },
        byte[] bytes => new NpgsqlParameter { Value = bytes, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea },
        _ => new NpgsqlParameter { Value = value },
    };

    private async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken, params object?[] values)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await QueryInAsync(connection, null, sql, map, cancellationToken, values).ConfigureAwait(false);
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken, params object?[] values)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteInAsync(connection, null, sql, cancellationToken, values).ConfigureAwait(false);
    }

    private static async Task<List<T>> QueryInAsync<T>(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken, params object?[] values)
    {
        await using var command = Statement(connection, transaction, sql, values);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    private static async Task ExecuteInAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken, params object?[] values)
    {
        await using var command = Statement(connection, transaction, sql, values);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlCommand Statement(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, object?[] values)
    {
#pragma warning disable CA2100 // every statement is a constant of this class (partition names are PgMedic's own); values go through parameters
        var command = new NpgsqlCommand(sql, connection, transaction);
#pragma warning restore CA2100
        foreach (var value in values)
        {
            command.Parameters.Add(Parameter(value));
        }

        return command;
    }

    private static void Run(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
#pragma warning disable CA2100 // the schema's own statements
        using var command = new NpgsqlCommand(sql, connection, transaction);
#pragma warning restore CA2100
        command.ExecuteNonQuery();
    }

    private static DateTimeOffset At(NpgsqlDataReader reader, int column) => new(DateTime.SpecifyKind(reader.GetDateTime(column), DateTimeKind.Utc));

    private static Severity ParseSeverity(string text) => Enum.Parse<Severity>(text, ignoreCase: true);

    private static AlertState ParseState(string text) => Enum.Parse<AlertState>(text, ignoreCase: true);

    private static FailureSignal? ParseSignal(NpgsqlDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : Enum.Parse<FailureSignal>(reader.GetString(column), ignoreCase: true);
}

/// <summary>The history store cannot be opened: the message says why (never a password).</summary>
public sealed class HistoryStoreException : Exception
{
    public HistoryStoreException()
    {
    }

    public HistoryStoreException(string message)
        : base(message)
    {
    }

    public HistoryStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
