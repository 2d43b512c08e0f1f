using PgMedic.Core.Slo;

namespace PgMedic.Monitor.Tests.Slo;

/// <summary>
/// The SRE workbook's multiwindow burn-rate alerts computed the plain way, entry by entry, to hold the
/// monitor to: an alert burns at a moment when failed / all attempts counted in (moment − window, moment],
/// divided by the budget (1 − objective), is above its factor over both its long and its short window.
/// </summary>
internal static class WorkbookArithmetic
{
    public sealed record Moments(DateTimeOffset? Fires, DateTimeOffset? Resolves);

    /// <summary>When each alert fires first and resolves after, checked at each of <paramref name="polls"/>.</summary>
    public static IReadOnlyDictionary<string, Moments> Expected(IReadOnlyList<SloEntry> attempts, IEnumerable<DateTimeOffset> polls, double budget)
    {
        var moments = BurnRateWindow.All.ToDictionary(w => w.Name, _ => new Moments(null, null));
        foreach (var at in polls)
        {
            foreach (var w in BurnRateWindow.All)
            {
                var burning = Burn(attempts, at, w.Long, budget) > w.Factor && Burn(attempts, at, w.Short, budget) > w.Factor;
                var m = moments[w.Name];
                if (m.Fires is null && burning)
                {
                    moments[w.Name] = m with { Fires = at };
                }
                else if (m.Fires is not null && m.Resolves is null && !burning)
                {
                    moments[w.Name] = m with { Resolves = at };
                }
            }
        }

        return moments;
    }

    public static double Burn(IReadOnlyList<SloEntry> attempts, DateTimeOffset at, TimeSpan window, double budget)
    {
        long good = 0, bad = 0;
        foreach (var e in attempts)
        {
            if (e.End > at - window && e.End <= at)
            {
                good += e.Counts.Good;
                bad += e.Counts.Bad;
            }
        }

        return good + bad == 0 ? 0 : (double)bad / (good + bad) / budget;
    }
}
