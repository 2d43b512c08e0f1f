using Microsoft.Data.Sqlite;
using PgMedic.Core.SessionHistory;

namespace PgMedic.Monitor.History;

/// <summary>
/// The active session history: runs of samples (one row per target and clock minute while raw, one per hour
/// once thinned to one a minute), each run encoded by <see cref="ActivityCodec"/>; the dictionary of session
/// keys the runs number; and the normalised text of every fingerprint.
/// </summary>
internal sealed partial class SqliteHistoryStore
{
    /// <summary>A raw run never spans more than a minute, a thinned one more than an hour: how far before a range its runs may start.</summary>
    private static readonly TimeSpan LongestRun = TimeSpan.FromHours(1);

    private const long Raw = 0;
    private const long PerMinute = 60_000;

    private const string ActivitySchema = """
        CREATE TABLE IF NOT EXISTS activity_keys (
            target TEXT NOT NULL, id INTEGER NOT NULL, state TEXT NOT NULL, wait_event_type TEXT, wait_event TEXT,
            application TEXT, user_name TEXT, client_address TEXT, database TEXT, fingerprint INTEGER,
            PRIMARY KEY (target, id)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS query_texts (fingerprint INTEGER PRIMARY KEY, query TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS activity_runs (
            target TEXT NOT NULL, start INTEGER NOT NULL, resolution INTEGER NOT NULL, last INTEGER NOT NULL, body BLOB NOT NULL,
            PRIMARY KEY (target, start, resolution)) WITHOUT ROWID;
        """;

    public Task<IReadOnlyDictionary<int, SessionKey>> ActivityKeysAsync(string target, CancellationToken cancellationToken)
    {
        using var connection = Open();
        IReadOnlyDictionary<int, SessionKey> keys = Query(connection, """
            SELECT id, state, wait_event_type, wait_event, application, user_name, client_address, database, fingerprint FROM activity_keys WHERE target = $target
            """,
            r => (Id: r.GetInt32(0), Key: new SessionKey(r.GetString(1), Text(r, 2), Text(r, 3), Text(r, 4), Text(r, 5), Text(r, 6), Text(r, 7), r.IsDBNull(8) ? null : r.GetInt64(8))),
            ("$target", target)).ToDictionary(k => k.Id, k => k.Key);
        return Task.FromResult(keys);
    }

    public async Task AddActivityRunAsync(string target, ActivityRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Samples.Count == 0)
        {
            return;
        }

        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            InWriterTransaction((connection, transaction) =>
            {
                foreach (var (id, k) in run.NewKeys)
                {
                    Execute(connection, transaction, """
                        INSERT OR REPLACE INTO activity_keys (target, id, state, wait_event_type, wait_event, application, user_name, client_address, database, fingerprint)
                        VALUES ($target, $id, $state, $type, $event, $application, $user, $client, $database, $fingerprint)
                        """,
                        ("$target", target), ("$id", id), ("$state", k.State), ("$type", k.WaitEventType), ("$event", k.WaitEvent), ("$application", k.Application),
                        ("$user", k.User), ("$client", k.ClientAddress), ("$database", k.Database), ("$fingerprint", k.Fingerprint));
                }

                foreach (var (fingerprint, text) in run.NewQueries)
                {
                    Execute(connection, transaction, "INSERT OR IGNORE INTO query_texts (fingerprint, query) VALUES ($fingerprint, $query)", ("$fingerprint", fingerprint), ("$query", text));
                }

                InsertRun(connection, transaction, target, run.Samples, Raw);
            });
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public Task<IReadOnlyList<ActivitySample>> ActivitySamplesAsync(string target, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        using var connection = Open();
        var bodies = Query(connection, """
            SELECT body FROM activity_runs WHERE target = $target AND start >= $earliest AND start <= $to AND last >= $from ORDER BY start
            """,
            r => (byte[])r.GetValue(0),
            ("$target", target), ("$earliest", Ms(from - LongestRun)), ("$from", Ms(from)), ("$to", Ms(to)));
        IReadOnlyList<ActivitySample> samples = bodies.SelectMany(ActivityCodec.Decode).Where(s => s.At >= from && s.At <= to).OrderBy(s => s.At).ToList();
        return Task.FromResult(samples);
    }

    public Task<IReadOnlyDictionary<long, string>> QueryTextsAsync(IReadOnlyCollection<long> fingerprints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fingerprints);
        var texts = new Dictionary<long, string>();
        using var connection = Open();
        foreach (var fingerprint in fingerprints.Distinct())
        {
            if (Scalar(connection, null, "SELECT query FROM query_texts WHERE fingerprint = $fingerprint", ("$fingerprint", fingerprint)) is string text)
            {
                texts[fingerprint] = text;
            }
        }

        return Task.FromResult<IReadOnlyDictionary<long, string>>(texts);
    }

    public Task<(DateTimeOffset First, DateTimeOffset Last)?> ActivityRangeAsync(string target, CancellationToken cancellationToken)
    {
        using var connection = Open();
        var range = Query(connection, "SELECT min(start), max(last) FROM activity_runs WHERE target = $target",
            r => r.IsDBNull(0) ? ((DateTimeOffset, DateTimeOffset)?)null : (FromMs(r.GetInt64(0)), FromMs(r.GetInt64(1))),
            ("$target", target)).FirstOrDefault();
        return Task.FromResult(range);
    }

    /// <summary>
    /// Raw runs that ended before <paramref name="before"/> become one sample a minute, gathered into one row
    /// per hour; one transaction per target and hour, so readers never see a minute twice or not at all.
    /// </summary>
    public async Task DownsampleActivityAsync(DateTimeOffset before, int top, CancellationToken cancellationToken)
    {
        List<(string Target, long Hour)> hours;
        using (var connection = Open())
        {
            hours = Query(connection, "SELECT DISTINCT target, start / 3600000 * 3600000 FROM activity_runs WHERE resolution = $raw AND last < $before",
                r => (r.GetString(0), r.GetInt64(1)), ("$raw", Raw), ("$before", Ms(before)));
        }

        foreach (var (target, hour) in hours)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                using var connection = Open();
                using var transaction = connection.BeginTransaction();
                var end = Math.Min(hour + 3_600_000, Ms(before));
                var raw = QueryIn(connection, transaction, "SELECT body FROM activity_runs WHERE target = $target AND resolution = $raw AND start >= $hour AND start < $end AND last < $before",
                    r => (byte[])r.GetValue(0), ("$target", target), ("$raw", Raw), ("$hour", hour), ("$end", end), ("$before", Ms(before)));
                var existing = QueryIn(connection, transaction, "SELECT body FROM activity_runs WHERE target = $target AND resolution = $minute AND start = $hour",
                    r => (byte[])r.GetValue(0), ("$target", target), ("$minute", PerMinute), ("$hour", hour));
                var minutes = existing.SelectMany(ActivityCodec.Decode)
                    .Concat(ActivityDownsampler.PerMinute(raw.SelectMany(ActivityCodec.Decode), top))
                    .GroupBy(s => s.At)
                    .Select(g => g.Count() == 1 ? g.First() : ActivityDownsampler.Merge(g.Key, g.ToList(), top))
                    .OrderBy(s => s.At)
                    .ToList();
                Execute(connection, transaction, "DELETE FROM activity_runs WHERE target = $target AND resolution = $raw AND start >= $hour AND start < $end AND last < $before",
                    ("$target", target), ("$raw", Raw), ("$hour", hour), ("$end", end), ("$before", Ms(before)));
                Execute(connection, transaction, "DELETE FROM activity_runs WHERE target = $target AND resolution = $minute AND start = $hour",
                    ("$target", target), ("$minute", PerMinute), ("$hour", hour));
                InsertRun(connection, transaction, target, minutes, PerMinute, FromMs(hour));
                transaction.Commit();
            }
            finally
            {
                _writeGate.Release();
            }
        }
    }

    private static void InsertRun(SqliteConnection connection, SqliteTransaction transaction, string target, IReadOnlyList<ActivitySample> samples, long resolution, DateTimeOffset? start = null)
    {
        if (samples.Count == 0)
        {
            return;
        }

        Execute(connection, transaction, """
            INSERT OR REPLACE INTO activity_runs (target, start, resolution, last, body) VALUES ($target, $start, $resolution, $last, $body)
            """,
            ("$target", target), ("$start", Ms(start ?? samples[0].At)), ("$resolution", resolution), ("$last", Ms(samples[^1].At)), ("$body", ActivityCodec.Encode(samples)));
    }

    private static string? Text(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static List<T> QueryIn<T>(SqliteConnection connection, SqliteTransaction transaction, string sql, Func<SqliteDataReader, T> map, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(reader));
        }

        return rows;
    }
}
