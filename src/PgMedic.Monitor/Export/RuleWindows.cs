using PgMedic.Core.Alerts;

namespace PgMedic.Monitor.Export;

/// <summary>
/// The time windows of the exported rules, sized so that each always holds enough scrapes. A value
/// changes at most once a poll of <c>pgmedic serve</c> and Prometheus sees it once a scrape, so the
/// finest time the rules can resolve is the longer of the two.
/// </summary>
/// <param name="Failure">The connection-failure ratio's window over pgmedic's probe counters: the configured one, at least 4 scrapes.</param>
/// <param name="ScrapedFailure">The same over postgres_exporter's <c>pg_up</c>, one probe a scrape: also long enough that a
/// single failed scrape stays under the ratio, so one blip is not an outage.</param>
/// <param name="LeakStep">Leak growth: idle connections must rise at least once in every stretch this long (2 resolutions).</param>
/// <param name="LeakFor">Leak growth: ... and keep doing so, never falling, this long: the configured samples × poll,
/// long enough for the configured minimum growth, and at least two steps.</param>
/// <param name="Forecast">The exhaustion trend's window: the configured one, long enough for the configured minimum samples.</param>
internal sealed record RuleWindows(TimeSpan Failure, TimeSpan ScrapedFailure, TimeSpan LeakStep, TimeSpan LeakFor, TimeSpan Forecast)
{
    public static RuleWindows Of(AlertRuleOptions rules, TimeSpan pollInterval, TimeSpan scrapeInterval)
    {
        var resolution = Max(scrapeInterval, pollInterval);
        var step = 2 * resolution;
        var leak = rules.LeakGrowth;
        var failure = Max(rules.DatabaseConnectionFailure.Window, 4 * scrapeInterval);
        return new RuleWindows(
            failure,
            Max(failure, (Math.Floor(1 / rules.DatabaseConnectionFailure.Ratio) + 1) * scrapeInterval),
            step,
            // Rising once a step from the first rise on, the count has grown by 1 + LeakFor / step when the alert fires.
            Max(Max(leak.Samples * pollInterval, (leak.MinGrowth - 1) * step), 2 * step),
            Max(rules.ExhaustionForecast.Window, rules.ExhaustionForecast.MinSamples * scrapeInterval))
        {
            Scrape = scrapeInterval,
        };
    }

    /// <summary>A burn-rate window: the workbook's, holding at least four scrapes.</summary>
    public TimeSpan Burn(TimeSpan window) => Max(window, 4 * Scrape);

    /// <summary>The scrape interval the windows were sized for.</summary>
    public TimeSpan Scrape { get; init; }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
