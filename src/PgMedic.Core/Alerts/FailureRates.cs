using System.Text.Json.Serialization;
using PgMedic.Core.Diagnosis;

namespace PgMedic.Core.Alerts;

/// <summary>Which measurement tripped <c>database-connection-failure</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FailureSignal>))]
public enum FailureSignal
{
    /// <summary>The services' own checkouts, from the counters of their pool endpoints.</summary>
    [JsonStringEnumMemberName("application")]
    Application,

    /// <summary>The monitor's own fresh connection each poll.</summary>
    [JsonStringEnumMemberName("probe")]
    Probe,
}

/// <summary>One pool endpoint at one poll: the counters of each process behind it, or why it did not answer.</summary>
public sealed record PoolEndpointReading(string Endpoint, string? Error, IReadOnlyList<PoolInstance> Instances)
{
    public static PoolEndpointReading From(AppPool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        return new(pool.Endpoint, pool.Error, pool.Error is null ? pool.Instances : []);
    }
}

/// <summary>A pool endpoint that answered none of the polls in the window, and its latest error.</summary>
public sealed record SilentEndpoint(string Endpoint, string Error);

/// <summary>The services' checkouts over a window, summed over their processes.</summary>
/// <param name="Processes">Service processes (per pool) with at least two readings in the window: an increase needs two.</param>
/// <param name="Silent">Endpoints that did not answer once in the window: a service that cannot even say is failing too.</param>
public sealed record ApplicationFailures(long Attempts, long Timeouts, long ConnectFailures, int Processes, int Endpoints, IReadOnlyList<SilentEndpoint> Silent)
{
    public long Failures => Timeouts + ConnectFailures;

    /// <summary>Failures as a share of attempts; null when there was no checkout to judge by.</summary>
    public double? Ratio => Attempts > 0 ? (double)Failures / Attempts : null;
}

/// <summary>Both signals of <c>database-connection-failure</c> over one window.</summary>
public sealed record FailureMeasurement(TimeSpan Window, int ProbeAttempts, int ProbeFailures, IReadOnlyList<string> ProbeReasons, ApplicationFailures? Application)
{
    public double ProbeRatio => ProbeAttempts == 0 ? 0 : (double)ProbeFailures / ProbeAttempts;
}

/// <summary>
/// The failure rates as pure functions over a target's sample history (oldest first): the probe's share of
/// failed polls, and the services' (timeouts + connect failures) / attempts from their cumulative counters,
/// read as Prometheus' <c>increase()</c> reads a counter (a fall is a restart) but without extrapolation.
/// </summary>
public static class FailureRates
{
    public static FailureMeasurement Measure(IReadOnlyList<MonitorSample> history, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Count == 0)
        {
            return new FailureMeasurement(window, 0, 0, [], null);
        }

        var now = history[^1].At;
        var inWindow = history.Where(s => s.At > now - window).ToList();
        var failed = inWindow.Where(s => !s.ProbeSucceeded).ToList();
        var reasons = failed.Select(s => s.ProbeReason).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        return new FailureMeasurement(window, inWindow.Count, failed.Count, reasons, Application(inWindow));
    }

    /// <summary>
    /// How much a counter grew over consecutive readings: each rise counts; a fall means the process restarted
    /// and counted from 0 to its new value, which counts whole (Prometheus' reset rule).
    /// </summary>
    public static long Increase(IReadOnlyList<long> readings)
    {
        ArgumentNullException.ThrowIfNull(readings);
        long increase = 0;
        for (var i = 1; i < readings.Count; i++)
        {
            increase += readings[i] >= readings[i - 1] ? readings[i] - readings[i - 1] : readings[i];
        }

        return increase;
    }

    private static ApplicationFailures? Application(IReadOnlyList<MonitorSample> inWindow)
    {
        var readings = inWindow.SelectMany(s => s.PoolEndpoints).ToList();
        if (readings.Count == 0)
        {
            return null;
        }

        var silent = readings.GroupBy(r => r.Endpoint, StringComparer.Ordinal)
            .Where(g => g.All(r => r.Error is not null))
            .Select(g => new SilentEndpoint(g.Key, g.Last().Error!))
            .ToList();

        // One series per process and pool, whichever endpoint reported it, in poll order.
        long attempts = 0, timeouts = 0, connectFailures = 0;
        var processes = 0;
        foreach (var series in readings.SelectMany(r => r.Instances).GroupBy(i => (i.Process, i.Pool)))
        {
            var points = series.ToList();
            if (points.Count < 2)
            {
                continue;
            }

            processes++;
            var (checkouts, t, c) = (Grown(points, p => p.Checkouts), Grown(points, p => p.Timeouts), Grown(points, p => p.ConnectFailures));
            attempts += checkouts + t + c;
            timeouts += t;
            connectFailures += c;
        }

        return new ApplicationFailures(attempts, timeouts, connectFailures, processes, readings.Select(r => r.Endpoint).Distinct(StringComparer.Ordinal).Count(), silent);
    }

    /// <summary><see cref="Increase"/>, where a new <c>startedAt</c> is a restart even if the counter did not fall.</summary>
    private static long Grown(IReadOnlyList<PoolInstance> points, Func<PoolInstance, long> counter)
    {
        long grown = 0;
        for (var i = 1; i < points.Count; i++)
        {
            var restarted = points[i].StartedAt is { } started && points[i - 1].StartedAt is { } before && started != before;
            grown += restarted ? counter(points[i]) : Increase([counter(points[i - 1]), counter(points[i])]);
        }

        return grown;
    }
}
