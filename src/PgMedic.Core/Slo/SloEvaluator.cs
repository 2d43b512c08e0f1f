using System.Globalization;
using PgMedic.Core.Alerts;
using PgMedic.Core.Common;

namespace PgMedic.Core.Slo;

/// <summary>The objective's numbers and its burn-rate alerts as pure functions over a <see cref="SloLedger"/>.</summary>
public static class SloEvaluator
{
    public static SloStatus Status(SloLedger ledger, SloOptions options, FailureSignal source, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(options);
        var counts = ledger.Sum(now, options.Window);
        var from = now - options.Window;
        var allowed = options.BudgetRatio * counts.Attempts;
        var remainingRatio = allowed > 0 ? 1 - (counts.Bad / allowed) : counts.Bad > 0 ? double.NegativeInfinity : 1;
        var observedFrom = ledger.ObservedSince is { } since && since > from ? since : from;
        var span = (now - observedFrom).TotalSeconds;
        var coverage = span > 0 ? Math.Clamp(counts.ObservedSeconds / span, 0, 1) : 0;
        return new SloStatus(
            source,
            options.ObjectivePercent,
            options.Window.TotalSeconds,
            from,
            now,
            counts.Attempts,
            counts.Bad,
            counts.Attempts > 0 ? Math.Round(100.0 * counts.Good / counts.Attempts, 6) : null,
            Math.Round(allowed, 3),
            Math.Round(allowed - counts.Bad, 3),
            double.IsFinite(remainingRatio) ? Math.Round(remainingRatio, 6) : -1,
            Math.Round(options.BudgetMinutes, 3),
            double.IsFinite(remainingRatio) ? Math.Round(options.BudgetMinutes * remainingRatio, 3) : -options.BudgetMinutes,
            Math.Round(coverage, 6),
            ledger.ObservedSince,
            BurnRateWindow.All.Select(w => Burn(ledger, options, w, now)).ToList());
    }

    /// <summary>The error budget <paramref name="counts"/> spent, as a share of the budget of the whole window's attempts <paramref name="window"/>.</summary>
    public static double BudgetSpent(SloCounts counts, SloCounts window, SloOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var allowed = options.BudgetRatio * window.Attempts;
        return allowed > 0 ? counts.Bad / allowed : counts.Bad > 0 ? double.PositiveInfinity : 0;
    }

    public static BurnRate Burn(SloLedger ledger, SloOptions options, BurnRateWindow window, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(window);
        var longCounts = ledger.Sum(now, window.Long);
        var shortCounts = ledger.Sum(now, window.Short);
        var longBurn = (longCounts.FailureRatio ?? 0) / options.BudgetRatio;
        var shortBurn = (shortCounts.FailureRatio ?? 0) / options.BudgetRatio;

        // Evidence first: a monitor that started a minute ago does not page on its first failed probe; the long
        // window must hold at least the short window's length of observed time.
        var evidence = longCounts.ObservedSeconds >= window.Short.TotalSeconds;
        return new BurnRate(
            window.Name,
            window.Long.TotalSeconds,
            window.Short.TotalSeconds,
            window.Factor,
            window.Severity,
            Math.Round(longBurn, 4),
            Math.Round(shortBurn, 4),
            longCounts.Attempts,
            longCounts.Bad,
            evidence && longBurn > window.Factor && shortBurn > window.Factor);
    }

    /// <summary>One alert per workbook window: active while the budget burns above its factor over both of its windows.</summary>
    public static IReadOnlyList<AlertSignal> BurnRateSignals(string target, SloStatus status, SloOptions options, SloBurnRateRuleOptions rule)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rule);
        if (!rule.Enabled)
        {
            return [];
        }

        var window = Duration.Format(options.Window);
        var left = status.BudgetRemainingRatio * 100;
        return status.BurnRates.Select(b =>
        {
            var longWindow = Duration.Format(TimeSpan.FromSeconds(b.LongWindowSeconds));
            var shortWindow = Duration.Format(TimeSpan.FromSeconds(b.ShortWindowSeconds));
            var summary = Invariant($"the error budget of {options.ObjectivePercent:0.###} % over {window} burns {b.LongBurnRate:0.##}× the sustainable rate over the last {longWindow} and {b.ShortBurnRate:0.##}× over the last {shortWindow} (alert above {b.Factor:0.#}× on both): {b.LongFailures} of {b.LongAttempts} {Noun(status.Source)} failed in the last {longWindow}; {left:0.#} % of the budget left");
            return new AlertSignal(new AlertKey(target, AlertNames.SloBurnRate, b.Severity, b.Window), b.Burning, false, b.LongBurnRate, summary, rule.For)
            {
                Signal = status.Source,
            };
        }).ToList();
    }

    /// <summary>What the attempts are, in a summary's words.</summary>
    public static string Noun(FailureSignal source) => source == FailureSignal.Application ? "checkouts" : "connection attempts";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
