using PgMedic.Core.Alerts;
using PgMedic.Core.Diagnosis;

namespace PgMedic.Core.Slo;

/// <summary>
/// Turns each poll into the objective's attempts. With pool endpoints the attempts are the application's own
/// checkouts — handed out (good), timed out or failed to connect (bad) — read from each service process's
/// cumulative counters as <see cref="FailureRates"/> reads them (a fall or a new <c>startedAt</c> is a restart
/// that counts from 0); the stretch since the previous poll is observed in the share of endpoints that
/// answered. Without endpoints each poll's fresh connection is one attempt, observing at most two poll
/// intervals (a longer gap — the monitor stopped or stalled — is unobserved).
/// </summary>
public sealed class SloAttemptCounter(int endpoints, TimeSpan pollInterval)
{
    private readonly Dictionary<(string Process, string? Pool), PoolInstance> _last = [];
    private DateTimeOffset? _previous;

    public FailureSignal Source => endpoints > 0 ? FailureSignal.Application : FailureSignal.Probe;

    public SloEntry Count(MonitorSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var since = _previous;
        _previous = sample.At;
        var elapsed = since is { } p && sample.At > p ? sample.At - p : TimeSpan.Zero;
        if (endpoints == 0)
        {
            var observed = since is null ? pollInterval : elapsed < 2 * pollInterval ? elapsed : pollInterval;
            return new SloEntry(sample.At, new SloCounts(sample.ProbeSucceeded ? 1 : 0, sample.ProbeSucceeded ? 0 : 1, observed.TotalSeconds));
        }

        long good = 0, bad = 0;
        foreach (var instance in sample.PoolEndpoints.Where(e => e.Error is null).SelectMany(e => e.Instances).DistinctBy(i => (i.Process, i.Pool)))
        {
            var key = (instance.Process, instance.Pool);
            if (_last.TryGetValue(key, out var before))
            {
                var restarted = instance.StartedAt is { } started && before.StartedAt is { } earlier && started != earlier;
                good += restarted ? instance.Checkouts : Grown(before.Checkouts, instance.Checkouts);
                bad += restarted ? instance.Failures : Grown(before.Timeouts, instance.Timeouts) + Grown(before.ConnectFailures, instance.ConnectFailures);
            }
            else if (since is { } previous && instance.StartedAt is { } started && started > previous)
            {
                // A process that started since the last poll: everything it counted is new.
                good += instance.Checkouts;
                bad += instance.Failures;
            }

            _last[key] = instance;
        }

        var answered = sample.PoolEndpoints.Count(e => e.Error is null);
        var share = Math.Min(1.0, (double)answered / endpoints);
        return new SloEntry(sample.At, new SloCounts(good, bad, elapsed.TotalSeconds * share));
    }

    /// <summary>A counter's growth between two readings; a fall is a restart whose new value counts whole.</summary>
    private static long Grown(long before, long now) => now >= before ? now - before : now;
}
