using PgMedic.Core.Alerts;

namespace PgMedic.Core.Capacity;

/// <summary>One poll's usage as the monitor kept it: client backends by state and by application, against usable slots.</summary>
public sealed record UsagePoint(DateTimeOffset At, int ClientBackends, int UsableSlots, int Active, int Idle, int IdleInTransaction, IReadOnlyList<AppConnections> ByApplication);

/// <param name="Peak">The most connections the application held at once.</param>
/// <param name="PeakBusy">The most it used at once: its connections not idle (running, or idle in a transaction).</param>
public sealed record ApplicationLoad(string Application, int Peak, double P99, int PeakBusy, double P99Busy, int PeakIdleInTransaction);

/// <summary>Client backends in one hour of the day (UTC), over every day observed.</summary>
public sealed record HourLoad(int HourUtc, int Peak, double P99, int Samples);

/// <summary>A least-squares line through each day's peak: how fast the busiest moments grow.</summary>
/// <param name="PerDay">Client backends a day the peaks grow by (negative: shrink).</param>
/// <param name="PeakNow">The line's value at the end of the history.</param>
/// <param name="DaysUntilFull">When the line reaches the usable slots; null when the peaks do not grow.</param>
public sealed record LoadTrend(double PerDay, double PeakNow, double? DaysUntilFull, DateTimeOffset? FullAt);

/// <summary>
/// What the monitor saw of a target's connections over days (docs/commands/advise.md, <c>--history</c>): the
/// peak and 99th percentile of client backends overall, per application and per hour of the day, and the
/// trend of the daily peaks with the days until usable slots run out at it.
/// </summary>
public sealed record CapacityHistory(
    string Target,
    DateTimeOffset From,
    DateTimeOffset To,
    int Samples,
    int UsableSlots,
    int Peak,
    DateTimeOffset? PeakAt,
    double P99,
    int PeakActive,
    int PeakIdleInTransaction,
    double IdleRatio,
    IReadOnlyList<ApplicationLoad> ByApplication,
    IReadOnlyList<HourLoad> ByHour,
    LoadTrend? Trend)
{
    /// <summary>A trend needs the peaks of this many days (UTC dates) at least.</summary>
    public const int MinTrendDays = 3;

    public static CapacityHistory Observe(string target, IReadOnlyList<UsagePoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0)
        {
            return new CapacityHistory(target, default, default, 0, 0, 0, null, 0, 0, 0, 0, [], [], null);
        }

        var ordered = points.OrderBy(p => p.At).ToList();
        var from = ordered[0].At;
        var to = ordered[^1].At;
        var peak = ordered.MaxBy(p => p.ClientBackends)!;
        var usable = ordered[^1].UsableSlots;
        var applications = ordered.SelectMany(p => p.ByApplication.Select(a => a.Application)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var byApplication = applications.Select(name =>
        {
            var totals = ordered.Select(p => p.ByApplication.FirstOrDefault(a => a.Application == name)).ToList();
            var held = totals.Select(a => a?.Total ?? 0).ToList();
            var busy = totals.Select(a => a is null ? 0 : a.Total - a.Idle).ToList();
            return new ApplicationLoad(name, held.Max(), Percentile(held, 0.99), busy.Max(), Percentile(busy, 0.99), totals.Max(a => a?.IdleInTransaction ?? 0));
        }).OrderByDescending(a => a.Peak).ThenBy(a => a.Application, StringComparer.Ordinal).ToList();
        var byHour = ordered.GroupBy(p => p.At.UtcDateTime.Hour)
            .Select(g => new HourLoad(g.Key, g.Max(p => p.ClientBackends), Percentile(g.Select(p => p.ClientBackends).ToList(), 0.99), g.Count()))
            .OrderBy(h => h.HourUtc)
            .ToList();
        var clients = ordered.Sum(p => (long)p.ClientBackends);
        return new CapacityHistory(
            target,
            from,
            to,
            ordered.Count,
            usable,
            peak.ClientBackends,
            peak.At,
            Percentile(ordered.Select(p => p.ClientBackends).ToList(), 0.99),
            ordered.Max(p => p.Active),
            ordered.Max(p => p.IdleInTransaction),
            clients == 0 ? 0 : Math.Round((double)ordered.Sum(p => (long)p.Idle) / clients, 3),
            byApplication,
            byHour,
            TrendOf(ordered, usable, to));
    }

    /// <summary>The connections the other applications need: the sum of their 99th percentiles (at least what they held together at that rank).</summary>
    public int OtherThan(string application) =>
        (int)Math.Ceiling(ByApplication.Where(a => !string.Equals(a.Application, application, StringComparison.Ordinal)).Sum(a => a.P99));

    public ApplicationLoad? Of(string application) => ByApplication.FirstOrDefault(a => string.Equals(a.Application, application, StringComparison.Ordinal));

    /// <summary>Nearest rank: the smallest value with at least <paramref name="rank"/> of the values at or below it.</summary>
    public static double Percentile(IReadOnlyList<int> values, double rank)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToList();
        var index = Math.Clamp((int)Math.Ceiling(rank * sorted.Count) - 1, 0, sorted.Count - 1);
        return sorted[index];
    }

    private static LoadTrend? TrendOf(IReadOnlyList<UsagePoint> points, int usable, DateTimeOffset to)
    {
        // Each UTC day's peak, placed at the middle of its day.
        var origin = points[0].At.UtcTicks / TimeSpan.TicksPerDay * TimeSpan.TicksPerDay;
        var hours = points.GroupBy(p => p.At.UtcTicks / TimeSpan.TicksPerDay)
            .Select(g => (Day: ((g.Key * TimeSpan.TicksPerDay) - origin) / (double)TimeSpan.TicksPerDay + 0.5, Peak: (double)g.Max(p => p.ClientBackends)))
            .ToList();
        if (hours.Count < MinTrendDays)
        {
            return null;
        }

        var meanX = hours.Average(h => h.Day);
        var meanY = hours.Average(h => h.Peak);
        var sxx = hours.Sum(h => (h.Day - meanX) * (h.Day - meanX));
        var slope = sxx == 0 ? 0 : hours.Sum(h => (h.Day - meanX) * (h.Peak - meanY)) / sxx;
        var endDay = (to.UtcTicks - origin) / (double)TimeSpan.TicksPerDay;
        var now = meanY + (slope * (endDay - meanX));
        double? days = slope > 0 ? Math.Max(0, (usable - now) / slope) : null;
        return new LoadTrend(Math.Round(slope, 3), Math.Round(now, 1), days is { } d ? Math.Round(d, 1) : null, days is { } x ? to.AddDays(x) : null);
    }
}
