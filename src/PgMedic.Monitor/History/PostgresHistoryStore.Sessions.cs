using Npgsql;
using PgMedic.Core.SessionHistory;

namespace PgMedic.Monitor.History;

/// <summary>
/// The active session history, as in the SQLite history: runs of samples (one row per target and clock minute
/// while raw, one per hour once thinned to one a minute) encoded by <see cref="ActivityCodec"/>, partitioned by
/// day on their start; the dictionary of session keys the runs number; and the normalised text of every
/// fingerprint (shared by every target and shard: a fingerprint is its text's hash).
/// </summary>
internal sealed partial class PostgresHistoryStore
{
    /// <summary>A raw run never spans more than a minute, a thinned one more than an hour: how far before a range its runs may start.</summary>
    private static readonly TimeSpan LongestRun = TimeSpan.FromHours(1);

    private const long Raw = 0;
    private const long PerMinute = 60_000;

    public async Task<IReadOnlyDictionary<int, SessionKey>> ActivityKeysAsync(string target, CancellationToken cancellationToken) =>
        (await QueryAsync(
            "SELECT id, state, wait_event_type, wait_event, application, user_name, client_address, database, fingerprint FROM pgmedic.activity_keys WHERE target = $1",
            r => (Id: r.GetInt32(0), Key: new SessionKey(r.GetString(1), Text(r, 2), Text(r, 3), Text(r, 4), Text(r, 5), Text(r, 6), Text(r, 7), r.IsDBNull(8) ? null : r.GetInt64(8))),
            cancellationToken,
            target).ConfigureAwait(false)).ToDictionary(k => k.Id, k => k.Key);

    public async Task AddActivityRunAsync(string target, ActivityRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Samples.Count == 0)
        {
            return;
        }

        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var (id, k) in run.NewKeys)
        {
            batch.BatchCommands.Add(Command("""
                INSERT INTO pgmedic.activity_keys (target, id, state, wait_event_type, wait_event, application, user_name, client_address, database, fingerprint)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                ON CONFLICT (target, id) DO UPDATE SET state = excluded.state, wait_event_type = excluded.wait_event_type, wait_event = excluded.wait_event,
                    application = excluded.application, user_name = excluded.user_name, client_address = excluded.client_address,
                    database = excluded.database, fingerprint = excluded.fingerprint
                """,
                target, id, k.State, k.WaitEventType, k.WaitEvent, k.Application, k.User, k.ClientAddress, k.Database, k.Fingerprint));
        }

        foreach (var (fingerprint, text) in run.NewQueries)
        {
            batch.BatchCommands.Add(Command("INSERT INTO pgmedic.query_texts (fingerprint, query) VALUES ($1, $2) ON CONFLICT (fingerprint) DO NOTHING", fingerprint, text));
        }

        AddRun(batch, target, run.Samples, Raw);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ActivitySample>> ActivitySamplesAsync(string target, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var bodies = await QueryAsync(
            "SELECT body FROM pgmedic.activity_runs WHERE target = $1 AND start >= $2 AND start <= $3 AND last >= $4 ORDER BY start",
            r => (byte[])r.GetValue(0),
            cancellationToken,
            target, (from - LongestRun).UtcDateTime, to.UtcDateTime, from.UtcDateTime).ConfigureAwait(false);
        return bodies.SelectMany(ActivityCodec.Decode).Where(s => s.At >= from && s.At <= to).OrderBy(s => s.At).ToList();
    }

    public async Task<IReadOnlyDictionary<long, string>> QueryTextsAsync(IReadOnlyCollection<long> fingerprints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fingerprints);
        if (fingerprints.Count == 0)
        {
            return new Dictionary<long, string>();
        }

        return (await QueryAsync(
            "SELECT fingerprint, query FROM pgmedic.query_texts WHERE fingerprint = ANY($1)",
            r => (Fingerprint: r.GetInt64(0), Query: r.GetString(1)),
            cancellationToken,
            fingerprints.Distinct().ToArray()).ConfigureAwait(false)).ToDictionary(q => q.Fingerprint, q => q.Query);
    }

    public async Task<(DateTimeOffset First, DateTimeOffset Last)?> ActivityRangeAsync(string target, CancellationToken cancellationToken) =>
        (await QueryAsync(
            "SELECT min(start), max(last) FROM pgmedic.activity_runs WHERE target = $1",
            r => r.IsDBNull(0) ? ((DateTimeOffset, DateTimeOffset)?)null : (At(r, 0), At(r, 1)),
            cancellationToken,
            target).ConfigureAwait(false))[0];

    /// <summary>
    /// Raw runs that ended before <paramref name="before"/> become one sample a minute, gathered into one row
    /// per hour; one transaction per target and hour, under an advisory lock on both, so two instances
    /// keeping one shared history never thin the same hour at once.
    /// </summary>
    public async Task DownsampleActivityAsync(DateTimeOffset before, int top, CancellationToken cancellationToken)
    {
        var hours = await QueryAsync(
            """
            SELECT DISTINCT target, floor(extract(epoch FROM start) / 3600)::bigint FROM pgmedic.activity_runs WHERE resolution = $1 AND last < $2
            """,
            r => (Target: r.GetString(0), Hour: r.GetInt64(1)),
            cancellationToken,
            Raw, before.UtcDateTime).ConfigureAwait(false);
        foreach (var (target, hourNumber) in hours)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var hour = DateTimeOffset.FromUnixTimeSeconds(hourNumber * 3600);
            var end = hour.AddHours(1) < before ? hour.AddHours(1) : before;
            await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteInAsync(connection, transaction, "SELECT pg_advisory_xact_lock(hashtext($1), $2)", cancellationToken, target, (int)hourNumber).ConfigureAwait(false);
            var raw = await QueryInAsync(connection, transaction,
                "SELECT body FROM pgmedic.activity_runs WHERE target = $1 AND resolution = $2 AND start >= $3 AND start < $4 AND last < $5",
                r => (byte[])r.GetValue(0), cancellationToken, target, Raw, hour.UtcDateTime, end.UtcDateTime, before.UtcDateTime).ConfigureAwait(false);
            var existing = await QueryInAsync(connection, transaction,
                "SELECT body FROM pgmedic.activity_runs WHERE target = $1 AND resolution = $2 AND start = $3",
                r => (byte[])r.GetValue(0), cancellationToken, target, PerMinute, hour.UtcDateTime).ConfigureAwait(false);
            var minutes = existing.SelectMany(ActivityCodec.Decode)
                .Concat(ActivityDownsampler.PerMinute(raw.SelectMany(ActivityCodec.Decode), top))
                .GroupBy(s => s.At)
                .Select(g => g.Count() == 1 ? g.First() : ActivityDownsampler.Merge(g.Key, g.ToList(), top))
                .OrderBy(s => s.At)
                .ToList();
            await using var batch = new NpgsqlBatch(connection, transaction);
            batch.BatchCommands.Add(Command(
                "DELETE FROM pgmedic.activity_runs WHERE target = $1 AND resolution = $2 AND start >= $3 AND start < $4 AND last < $5",
                target, Raw, hour.UtcDateTime, end.UtcDateTime, before.UtcDateTime));
            batch.BatchCommands.Add(Command("DELETE FROM pgmedic.activity_runs WHERE target = $1 AND resolution = $2 AND start = $3", target, PerMinute, hour.UtcDateTime));
            AddRun(batch, target, minutes, PerMinute, hour);
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One run: replaces a run of the same target, start and resolution (a minute written again after a restart).</summary>
    private static void AddRun(NpgsqlBatch batch, string target, IReadOnlyList<ActivitySample> samples, long resolution, DateTimeOffset? start = null)
    {
        if (samples.Count == 0)
        {
            return;
        }

        batch.BatchCommands.Add(Command("""
            INSERT INTO pgmedic.activity_runs (target, start, resolution, last, body) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (target, start, resolution) DO UPDATE SET last = excluded.last, body = excluded.body
            """,
            target, (start ?? samples[0].At).UtcDateTime, resolution, samples[^1].At.UtcDateTime, ActivityCodec.Encode(samples)));
    }

    private static string? Text(NpgsqlDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);
}
