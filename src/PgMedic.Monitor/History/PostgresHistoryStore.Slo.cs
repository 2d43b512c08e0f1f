using Npgsql;
using PgMedic.Core.Alerts;
using PgMedic.Core.Slo;

namespace PgMedic.Monitor.History;

/// <summary>
/// The objective's attempts, one row per target and minute (the minute's end) added to by every poll in it,
/// partitioned by day like the samples; and the targets as the monitors run them, one row per name.
/// </summary>
internal sealed partial class PostgresHistoryStore
{
    public async Task RecordTargetsAsync(IReadOnlyList<StoredTarget> targets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Count == 0)
        {
            return;
        }

        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var t in targets)
        {
            batch.BatchCommands.Add(Command("""
                INSERT INTO pgmedic.targets (name, connection, objective, window_ms, source, poll_ms, sample_ms, since)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                ON CONFLICT (name) DO UPDATE SET connection = excluded.connection, objective = excluded.objective, window_ms = excluded.window_ms,
                    source = excluded.source, poll_ms = excluded.poll_ms, sample_ms = excluded.sample_ms, since = excluded.since
                """,
                t.Name, t.Connection, t.Slo.ObjectivePercent, (long)t.Slo.Window.TotalMilliseconds, HistoryNames.SignalName(t.SloSource),
                (long)t.PollInterval.TotalMilliseconds, t.SampleInterval is { } s ? (long)s.TotalMilliseconds : null, t.Since.UtcDateTime));
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<StoredTarget>> TargetsAsync(CancellationToken cancellationToken) =>
        QueryAsync(
            "SELECT name, connection, objective, window_ms, source, poll_ms, sample_ms, since FROM pgmedic.targets ORDER BY name",
            r => new StoredTarget(
                r.GetString(0),
                r.GetString(1),
                new SloOptions { ObjectivePercent = r.GetDouble(2), Window = TimeSpan.FromMilliseconds(r.GetInt64(3)) },
                Enum.Parse<FailureSignal>(r.GetString(4), ignoreCase: true),
                TimeSpan.FromMilliseconds(r.GetInt64(5)),
                r.IsDBNull(6) ? null : TimeSpan.FromMilliseconds(r.GetInt64(6)),
                At(r, 7)),
            cancellationToken);

    public Task<IReadOnlyList<SloEntry>> SloMinutesAsync(string target, DateTimeOffset from, CancellationToken cancellationToken) =>
        QueryAsync(
            "SELECT minute, good, bad, observed_ms FROM pgmedic.slo_minutes WHERE target = $1 AND minute > $2 ORDER BY minute",
            r => new SloEntry(At(r, 0), new SloCounts(r.GetInt64(1), r.GetInt64(2), r.GetInt64(3) / 1000.0)),
            cancellationToken,
            target, from.UtcDateTime);

    /// <summary>Adds a poll's attempts to the row of the minute it ends in (the same minutes as the SQLite history).</summary>
    private static void AddSlo(NpgsqlBatch batch, string target, SloEntry entry)
    {
        var c = entry.Counts;
        if (c.Attempts == 0 && c.ObservedSeconds <= 0)
        {
            return;
        }

        var minute = DateTimeOffset.FromUnixTimeMilliseconds((entry.End.ToUnixTimeMilliseconds() + 59_999) / 60_000 * 60_000);
        batch.BatchCommands.Add(Command("""
            INSERT INTO pgmedic.slo_minutes (target, minute, good, bad, observed_ms) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (target, minute) DO UPDATE SET good = slo_minutes.good + excluded.good, bad = slo_minutes.bad + excluded.bad,
                observed_ms = slo_minutes.observed_ms + excluded.observed_ms
            """,
            target, minute.UtcDateTime, c.Good, c.Bad, (long)Math.Round(c.ObservedSeconds * 1000)));
    }
}
