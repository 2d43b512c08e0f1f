using Microsoft.Data.Sqlite;
using PgMedic.Core.Alerts;
using PgMedic.Core.Slo;

namespace PgMedic.Monitor.History;

/// <summary>The objective's attempts, one row per target and minute (the minute's end), added to by every poll in it.</summary>
internal sealed partial class SqliteHistoryStore
{
    private const string SloSchema = """
        CREATE TABLE IF NOT EXISTS slo_minutes (
            target TEXT NOT NULL, minute INTEGER NOT NULL, good INTEGER NOT NULL, bad INTEGER NOT NULL, observed_ms INTEGER NOT NULL,
            PRIMARY KEY (target, minute)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS targets (
            name TEXT PRIMARY KEY, connection TEXT NOT NULL, objective REAL NOT NULL, window_ms INTEGER NOT NULL, source TEXT NOT NULL,
            poll_ms INTEGER NOT NULL, sample_ms INTEGER, since INTEGER NOT NULL);
        """;

    public async Task RecordTargetsAsync(IReadOnlyList<StoredTarget> targets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targets);
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var connection = Open();
            using var transaction = connection.BeginTransaction();
            foreach (var t in targets)
            {
                Execute(connection, transaction, """
                    INSERT OR REPLACE INTO targets (name, connection, objective, window_ms, source, poll_ms, sample_ms, since)
                    VALUES ($name, $connection, $objective, $window, $source, $poll, $sample, $since)
                    """,
                    ("$name", t.Name), ("$connection", t.Connection), ("$objective", t.Slo.ObjectivePercent), ("$window", (long)t.Slo.Window.TotalMilliseconds),
                    ("$source", SignalName(t.SloSource)), ("$poll", (long)t.PollInterval.TotalMilliseconds),
                    ("$sample", t.SampleInterval is { } s ? (long)s.TotalMilliseconds : null), ("$since", Ms(t.Since)));
            }

            transaction.Commit();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public Task<IReadOnlyList<StoredTarget>> TargetsAsync(CancellationToken cancellationToken)
    {
        using var connection = Open();
        IReadOnlyList<StoredTarget> targets = Query(connection, "SELECT name, connection, objective, window_ms, source, poll_ms, sample_ms, since FROM targets ORDER BY name",
            r => new StoredTarget(
                r.GetString(0),
                r.GetString(1),
                new SloOptions { ObjectivePercent = r.GetDouble(2), Window = TimeSpan.FromMilliseconds(r.GetInt64(3)) },
                Enum.Parse<FailureSignal>(r.GetString(4), ignoreCase: true),
                TimeSpan.FromMilliseconds(r.GetInt64(5)),
                r.IsDBNull(6) ? null : TimeSpan.FromMilliseconds(r.GetInt64(6)),
                FromMs(r.GetInt64(7))));
        return Task.FromResult(targets);
    }

    public Task<IReadOnlyList<SloEntry>> SloMinutesAsync(string target, DateTimeOffset from, CancellationToken cancellationToken)
    {
        using var connection = Open();
        IReadOnlyList<SloEntry> rows = Query(connection, "SELECT minute, good, bad, observed_ms FROM slo_minutes WHERE target = $target AND minute > $from ORDER BY minute",
            r => new SloEntry(FromMs(r.GetInt64(0)), new SloCounts(r.GetInt64(1), r.GetInt64(2), r.GetInt64(3) / 1000.0)),
            ("$target", target), ("$from", Ms(from)));
        return Task.FromResult(rows);
    }

    /// <summary>Adds minutes of attempts as if polls had counted them (a history imported from elsewhere, or a test's past).</summary>
    internal async Task AddSloMinutesAsync(string target, IEnumerable<SloEntry> minutes, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            InWriterTransaction((connection, transaction) =>
            {
                foreach (var minute in minutes)
                {
                    RecordSlo(connection, transaction, target, minute);
                }
            });
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private static void RecordSlo(SqliteConnection connection, SqliteTransaction transaction, string target, SloEntry entry)
    {
        var c = entry.Counts;
        if (c.Attempts == 0 && c.ObservedSeconds <= 0)
        {
            return;
        }

        var minute = (entry.End.ToUnixTimeMilliseconds() + 59_999) / 60_000 * 60_000;
        Execute(connection, transaction, """
            INSERT INTO slo_minutes (target, minute, good, bad, observed_ms) VALUES ($target, $minute, $good, $bad, $observed)
            ON CONFLICT (target, minute) DO UPDATE SET good = good + excluded.good, bad = bad + excluded.bad, observed_ms = observed_ms + excluded.observed_ms
            """,
            ("$target", target), ("$minute", minute), ("$good", c.Good), ("$bad", c.Bad), ("$observed", (long)Math.Round(c.ObservedSeconds * 1000)));
    }
}
