using System.Globalization;
using PgMedic.Core.Diagnosis;

namespace PgMedic.Core.Alerts;

/// <summary>Identifies one alert of one target: the same key is never firing twice at once.</summary>
/// <param name="Subject">An application for leak-growth; empty for server-wide alerts.</param>
public sealed record AlertKey(string Target, string Rule, Severity Severity, string Subject);

/// <summary>What a rule says about one key right now.</summary>
/// <param name="Active">The condition holds: a new alert goes pending (and fires after <see cref="For"/>).</param>
/// <param name="Holding">Not active, but within hysteresis: a firing alert keeps firing; nothing new starts.</param>
public sealed record AlertSignal(AlertKey Key, bool Active, bool Holding, double Value, string Summary, TimeSpan For)
{
    /// <summary>Which signal makes it active (<c>database-connection-failure</c> only): the services' or the probe's.</summary>
    public FailureSignal? Signal { get; init; }
}

/// <summary>The alert rules as pure functions over a target's sample history (oldest first).</summary>
public static class AlertSignals
{
    public static IReadOnlyList<AlertSignal> Evaluate(string target, IReadOnlyList<MonitorSample> history, AlertRuleOptions options, TimeSpan pollInterval)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(options);
        if (history.Count == 0)
        {
            return [];
        }

        var signals = new List<AlertSignal>();
        if (IsStale(history))
        {
            // No snapshot this round: only the failure rule, which reads the probe, can say anything.
            if (options.DatabaseConnectionFailure.Enabled)
            {
                signals.Add(Failure(target, history, options.DatabaseConnectionFailure));
            }

            return signals;
        }

        if (options.ConnectionSaturation.Enabled)
        {
            signals.AddRange(Saturation(target, history[^1], options.ConnectionSaturation));
        }

        if (options.DatabaseConnectionFailure.Enabled)
        {
            signals.Add(Failure(target, history, options.DatabaseConnectionFailure));
        }

        if (options.IdleInTransaction.Enabled)
        {
            signals.AddRange(FromFinding(target, AlertNames.IdleInTransaction, FindingCodes.IdleInTransaction, history[^1], options.IdleInTransaction));
        }

        if (options.BlockingChain.Enabled)
        {
            signals.AddRange(FromFinding(target, AlertNames.BlockingChain, FindingCodes.BlockingChain, history[^1], options.BlockingChain));
        }

        if (options.LeakGrowth.Enabled)
        {
            signals.AddRange(LeakGrowth(target, history, options.LeakGrowth));
        }

        if (options.ExhaustionForecast.Enabled)
        {
            signals.Add(Forecast(target, history, options.ExhaustionForecast));
        }

        return signals;
    }

    /// <summary>The latest round has no snapshot: the alerts that read one hold their state (<see cref="AlertEngine.Apply"/>).</summary>
    public static bool IsStale(IReadOnlyList<MonitorSample> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        return history.Count > 0 && !history[^1].Collected;
    }

    /// <summary>Two alerts, like two Prometheus rules of one name: warning at 80 %, critical at 90 % of usable slots.</summary>
    private static IEnumerable<AlertSignal> Saturation(string target, MonitorSample latest, SaturationRuleOptions options)
    {
        foreach (var (severity, threshold) in new[] { (Severity.Warning, options.WarningPercent), (Severity.Critical, options.CriticalPercent) })
        {
            var percent = latest.Collected ? latest.PercentUsed : 0;
            var fewest = latest.ClientBackendsMin ?? latest.ClientBackends;
            var lowest = latest.ClientBackendsMin is { } min ? Usage.Percent(min, latest.UsableSlots) : percent;
            var summary = Invariant($"{Usage.Range(fewest, latest.ClientBackends)} of {latest.UsableSlots} usable connection slots in use ({Usage.Range(lowest, percent)} %, threshold {threshold:0.#} %)");
            yield return new AlertSignal(
                new AlertKey(target, AlertNames.ConnectionSaturation, severity, string.Empty),
                latest.Collected && percent >= threshold,
                latest.Collected && percent >= threshold - options.HysteresisPercent,
                percent,
                summary,
                options.For);
        }
    }

    /// <summary>
    /// The runbook's rule, one alert over two signals: the services' own checkouts (when the target lists pool
    /// endpoints) and the monitor's fresh connection each poll. Either above the ratio over the window trips
    /// it; a pool endpoint that answered no poll in the window trips the application signal on its own.
    /// </summary>
    private static AlertSignal Failure(string target, IReadOnlyList<MonitorSample> history, FailureRuleOptions options)
    {
        var m = FailureRates.Measure(history, options.Window);
        var window = Common.Duration.Format(options.Window);
        var threshold = Invariant($"threshold {options.Ratio * 100:0.#} %");
        var probeActive = m.ProbeRatio > options.Ratio;
        var probe = Invariant($"{m.ProbeFailures} of {m.ProbeAttempts} connection attempts failed in the last {window} ({m.ProbeRatio * 100:0.#} %, {threshold})")
            + (m.ProbeReasons.Count > 0 ? $": {string.Join(", ", m.ProbeReasons)}" : string.Empty);
        var key = new AlertKey(target, AlertNames.DatabaseConnectionFailure, Severity.Critical, string.Empty);
        if (m.Application is not { } app)
        {
            return new AlertSignal(key, probeActive, false, Math.Round(m.ProbeRatio, 4), probe, options.For) { Signal = probeActive ? FailureSignal.Probe : null };
        }

        var appAboveRatio = app.Ratio > options.Ratio;
        var appActive = appAboveRatio || app.Silent.Count > 0;
        var parts = new List<string>();
        if (app.Silent.Count > 0)
        {
            parts.AddRange(app.Silent.Select(e => $"pool endpoint {e.Endpoint} answered no poll in the last {window}: {e.Error}"));
        }

        if (app.Ratio is { } ratio)
        {
            parts.Add(Invariant($"the services' checkouts: {app.Failures} of {app.Attempts} failed ({app.Timeouts} timed out, {app.ConnectFailures} could not connect) across {app.Processes} process(es) in the last {window} ({ratio * 100:0.#} %, {threshold})"));
        }
        else if (app.Silent.Count < app.Endpoints)
        {
            parts.Add($"the services made no checkout in the last {window}");
        }

        var application = string.Join("; ", parts);
        var summary = appActive || !probeActive ? $"{application}; the monitor's probe: {probe}" : $"the monitor's probe: {probe}; {application}";

        // The value is the tripping signal's ratio; silence counts as every checkout failing.
        var value = appActive ? (appAboveRatio ? app.Ratio!.Value : 1) : probeActive ? m.ProbeRatio : Math.Max(m.ProbeRatio, app.Ratio ?? 0);
        return new AlertSignal(key, appActive || probeActive, false, Math.Round(value, 4), summary, options.For)
        {
            Signal = appActive ? FailureSignal.Application : probeActive ? FailureSignal.Probe : null,
        };
    }

    private static IEnumerable<AlertSignal> FromFinding(string target, string rule, string code, MonitorSample latest, FindingRuleOptions options)
    {
        var findings = latest.Findings.Where(f => f.Code == code && f.Severity >= Severity.Warning).ToList();
        var worst = findings.Select(f => (Severity?)f.Severity).Max();
        foreach (var severity in new[] { Severity.Warning, Severity.Critical })
        {
            var matching = findings.Where(f => f.Severity >= severity).ToList();
            var summary = matching.Count > 0 ? string.Join("; ", matching.Select(f => f.Summary)) : $"no {rule} at {severity.ToString().ToLowerInvariant()} level";
            yield return new AlertSignal(
                new AlertKey(target, rule, severity, string.Empty),
                worst >= severity,
                false,
                matching.Count,
                summary,
                options.For);
        }
    }

    /// <summary>An application whose idle connections never fell over the last N samples and grew by at least the minimum.</summary>
    private static IEnumerable<AlertSignal> LeakGrowth(string target, IReadOnlyList<MonitorSample> history, LeakGrowthRuleOptions options)
    {
        var collected = history.Where(s => s.Collected).ToList();
        if (collected.Count == 0)
        {
            yield break;
        }

        var recent = collected.TakeLast(options.Samples).ToList();
        var applications = recent.SelectMany(s => s.ByApplication).Select(a => a.Application).Distinct(StringComparer.Ordinal);
        foreach (var application in applications)
        {
            var idle = recent.Select(s => s.ByApplication.FirstOrDefault(a => a.Application == application)?.Idle ?? 0).ToList();
            // Growing step after step, not one jump: never falling, and rising in at least a third of the steps.
            var steps = idle.Zip(idle.Skip(1)).ToList();
            var growing = recent.Count >= options.Samples && steps.All(p => p.Second >= p.First)
                && steps.Count(p => p.Second > p.First) >= Math.Max(2, steps.Count / 3) && idle[^1] - idle[0] >= options.MinGrowth;
            var fell = idle[^1] <= idle.Max() - options.MinGrowth || idle[^1] == 0;
            yield return new AlertSignal(
                new AlertKey(target, AlertNames.LeakGrowth, Severity.Warning, application),
                growing,
                !fell,
                idle[^1],
                Invariant($"{application}: idle connections grew from {idle[0]} to {idle[^1]} over the last {recent.Count} samples and never fell — a connection leak suspect"),
                options.For);
        }
    }

    /// <summary>A least-squares line through client backends over the window; fires when it reaches usable slots within the horizon.</summary>
    private static AlertSignal Forecast(string target, IReadOnlyList<MonitorSample> history, ForecastRuleOptions options)
    {
        var now = history[^1].At;
        var points = history.Where(s => s.Collected && s.At > now - options.Window).ToList();
        var key = new AlertKey(target, AlertNames.ExhaustionForecast, Severity.Warning, string.Empty);
        var latest = history[^1];
        if (points.Count < options.MinSamples || !latest.Collected || latest.UsableSlots <= 0)
        {
            return new AlertSignal(key, false, false, 0, "not enough samples for a trend", options.For);
        }

        var xs = points.Select(p => (p.At - points[0].At).TotalSeconds).ToList();
        var ys = points.Select(p => (double)p.ClientBackends).ToList();
        var slope = Slope(xs, ys);

        // A trend, not one jump: the recent half of the window must still be rising.
        var half = points.Count / 2;
        if (Slope(xs.Skip(half).ToList(), ys.Skip(half).ToList()) <= 0)
        {
            slope = 0;
        }
        var remaining = latest.UsableSlots - latest.ClientBackends;
        var secondsToFull = slope > 0 && remaining > 0 ? remaining / slope : double.PositiveInfinity;
        var active = latest.PercentUsed >= options.MinPercent && remaining > 0 && secondsToFull <= options.Horizon.TotalSeconds;
        var summary = double.IsPositiveInfinity(secondsToFull)
            ? "usage is not rising"
            : Invariant($"at {slope * 60:0.#} connections a minute, the {remaining} free usable slots run out in about {Common.Duration.Format(TimeSpan.FromSeconds(Math.Min(secondsToFull, TimeSpan.FromDays(1).TotalSeconds)))}");
        return new AlertSignal(key, active, false, double.IsPositiveInfinity(secondsToFull) ? -1 : Math.Round(secondsToFull, 1), summary, options.For);
    }

    private static double Slope(IReadOnlyList<double> xs, IReadOnlyList<double> ys)
    {
        if (xs.Count < 2)
        {
            return 0;
        }

        var meanX = xs.Average();
        var meanY = ys.Average();
        var sxx = xs.Sum(x => (x - meanX) * (x - meanX));
        return sxx == 0 ? 0 : xs.Zip(ys).Sum(p => (p.First - meanX) * (p.Second - meanY)) / sxx;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
