using PgMedic.Core.Alerts;
using PgMedic.Core.Capacity;
using PgMedic.Core.Reporting;
using PgMedic.Core.SessionHistory;
using PgMedic.Core.Slo;
using PgMedic.Monitor.Polling;

namespace PgMedic.Monitor.History;

/// <summary>
/// The questions asked of the history — the objective, what was happening at a moment, capacity over days,
/// an incident's evidence — answered the same way for the monitor's API (with what it holds in memory:
/// the exact per-poll attempts, the current minute's session samples) and for a CLI reading the file.
/// </summary>
internal static class HistoryQueries
{
    /// <summary>How far from the moment asked about a sample may be and still answer for it, at least.</summary>
    public static readonly TimeSpan MinTolerance = TimeSpan.FromSeconds(90);

    /// <summary>The objective rebuilt from the stored minutes (what a reader of the file sees: per minute, not per poll).</summary>
    public static async Task<SloStatus> SloAsync(IHistoryStore store, StoredTarget target, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(target);
        var ledger = await LedgerAsync(store, target.Name, target.Slo, now, cancellationToken).ConfigureAwait(false);
        return SloEvaluator.Status(ledger, target.Slo, target.SloSource, now);
    }

    public static async Task<SloLedger> LedgerAsync(IHistoryStore store, string target, SloOptions slo, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(slo);
        var ledger = new SloLedger(slo.Window);
        foreach (var minute in await store.SloMinutesAsync(target, now - slo.Window, cancellationToken).ConfigureAwait(false))
        {
            ledger.Add(minute);
        }

        ledger.Trim(now);
        return ledger;
    }

    /// <summary>How far a sample may be from a moment: two sampling intervals, and never less than <see cref="MinTolerance"/> (a minute once thinned).</summary>
    public static TimeSpan Tolerance(TimeSpan? sampleInterval) => sampleInterval is { } i && 2 * i > MinTolerance ? 2 * i : MinTolerance;

    /// <summary>
    /// What the server was doing at <paramref name="at"/> (the nearest sample within <paramref name="tolerance"/>),
    /// or over <paramref name="span"/> from it (every sample in it); null when no sample is there.
    /// </summary>
    public static async Task<ActivityMoment?> MomentAsync(IHistoryStore store, string target, DateTimeOffset at, TimeSpan? span, TimeSpan tolerance, SessionSampler? live, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var from = span is null ? at - tolerance : at;
        var to = span is { } s ? at + s : at + tolerance;
        var stored = await store.ActivitySamplesAsync(target, from, to, cancellationToken).ConfigureAwait(false);
        var samples = stored.Concat(live?.Pending.Where(p => p.At >= from && p.At <= to) ?? []).OrderBy(p => p.At).ToList();
        IReadOnlyList<ActivitySample> chosen = span is null
            ? ActivityMomentBuilder.Nearest(samples, at, tolerance) is { } nearest ? [nearest] : []
            : samples;
        if (chosen.Count == 0)
        {
            return null;
        }

        var keys = live?.Keys ?? await store.ActivityKeysAsync(target, cancellationToken).ConfigureAwait(false);
        var fingerprints = chosen.SelectMany(c => c.Counts.Select(k => k.Key)).Distinct()
            .Select(k => keys.TryGetValue(k, out var key) ? key.Fingerprint : null).OfType<long>().ToList();
        var queries = new Dictionary<long, string>(await store.QueryTextsAsync(fingerprints, cancellationToken).ConfigureAwait(false));
        foreach (var (fingerprint, text) in live?.PendingQueries ?? new Dictionary<long, string>())
        {
            queries.TryAdd(fingerprint, text);
        }

        return ActivityMomentBuilder.Build(target, at, chosen, keys, queries);
    }

    /// <summary>The first and last session sample kept, to say what a moment without samples could have been asked for.</summary>
    public static async Task<string> CoverageAsync(IHistoryStore store, string target, SessionSampler? live, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var range = await store.ActivityRangeAsync(target, cancellationToken).ConfigureAwait(false);
        var pending = live?.Pending ?? [];
        var first = range?.First ?? pending.FirstOrDefault()?.At;
        var last = pending.Count > 0 ? pending[^1].At : range?.Last;
        return first is { } f && last is { } l
            ? $"the session history of '{target}' holds samples from {f:yyyy-MM-ddTHH:mm:ssZ} to {l:yyyy-MM-ddTHH:mm:ssZ}"
            : $"the session history of '{target}' holds no samples";
    }

    public static async Task<CapacityHistory> CapacityAsync(IHistoryStore store, string target, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return CapacityHistory.Observe(target, await store.UsageAsync(target, from, to, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>An incident's evidence in the history between <paramref name="from"/> and <paramref name="to"/>.</summary>
    /// <param name="ledger">The objective's attempts (the live one in the monitor, else rebuilt from the file's minutes).</param>
    public static async Task<HistoryEvidence> EvidenceAsync(
        IHistoryStore store,
        StoredTarget target,
        string location,
        DateTimeOffset from,
        DateTimeOffset to,
        SloLedger ledger,
        SessionSampler? live,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(ledger);
        var events = (await store.AlertEventsAsync(target.Name, from, 5000, cancellationToken).ConfigureAwait(false))
            .Where(e => e.At <= to)
            .OrderBy(e => e.At)
            .ToList();
        var alerts = events.Select(e => new MonitorAlertChange(e.At, e.Rule, e.Severity, e.Subject, e.State, e.Summary, e.Signal)).ToList();
        var firstFiring = events.FirstOrDefault(e => e.State == AlertState.Firing);
        DateTimeOffset? resolved = null;
        if (firstFiring is not null)
        {
            // Resolved once every alert that fired after the first has resolved again.
            var open = new HashSet<(string, Core.Diagnosis.Severity, string)>();
            foreach (var e in events.Where(e => e.At >= firstFiring.At))
            {
                var key = (e.Rule, e.Severity, e.Subject);
                if (e.State == AlertState.Firing)
                {
                    open.Add(key);
                    resolved = null;
                }
                else if (e.State == AlertState.Resolved && open.Remove(key) && open.Count == 0)
                {
                    resolved = e.At;
                }
            }
        }

        var samples = await store.SamplesAsync(target.Name, from, to, 200_000, cancellationToken).ConfigureAwait(false);
        var minutes = samples
            .GroupBy(s => s.At.UtcTicks / TimeSpan.TicksPerMinute)
            .Select(g =>
            {
                var busiest = g.Where(s => s.Collected).MaxBy(s => s.PercentUsed);
                var application = g.Select(s => s.ApplicationFailureRatio).OfType<double>().DefaultIfEmpty(double.NaN).Max();
                double? failure = !double.IsNaN(application) ? application : target.SloSource == FailureSignal.Probe ? Math.Round((double)g.Count(s => !s.ProbeSucceeded) / g.Count(), 4) : null;
                return new IncidentPoint(busiest?.At ?? g.First().At, busiest?.ClientBackends ?? 0, busiest?.UsableSlots ?? 0, busiest?.PercentUsed ?? 0, failure);
            })
            .OrderBy(p => p.At)
            .ToList();

        var period = ledger.Between(from, to);
        var window = ledger.Sum(to, target.Slo.Window);
        var spent = SloEvaluator.BudgetSpent(period, window, target.Slo);
        var status = SloEvaluator.Status(ledger, target.Slo, target.SloSource, to);
        var slo = period.Attempts == 0 && window.Attempts == 0
            ? null
            : new SloImpact(
                target.Slo.ObjectivePercent,
                target.Slo.Window.TotalSeconds,
                target.SloSource,
                period.Attempts,
                period.Bad,
                period.Attempts > 0 ? Math.Round(100.0 * period.Good / period.Attempts, 4) : null,
                double.IsFinite(spent) ? Math.Round(spent, 4) : 1,
                double.IsFinite(spent) ? Math.Round(spent * target.Slo.BudgetMinutes, 2) : target.Slo.BudgetMinutes,
                Math.Round(target.Slo.BudgetMinutes, 2),
                status.BudgetRemainingRatio);

        var moment = firstFiring is null || target.SampleInterval is null
            ? null
            : await MomentAsync(store, target.Name, firstFiring.At, null, Tolerance(target.SampleInterval), live, cancellationToken).ConfigureAwait(false);
        return new HistoryEvidence(
            target.Name,
            location,
            from,
            to,
            firstFiring?.At,
            resolved,
            alerts,
            minutes,
            minutes.Count > 0 ? minutes.MaxBy(m => m.PercentOfUsable) : null,
            minutes.Where(m => m.FailureRatio is not null).MaxBy(m => m.FailureRatio),
            slo,
            moment);
    }
}
