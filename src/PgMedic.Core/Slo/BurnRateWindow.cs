using PgMedic.Core.Common;
using PgMedic.Core.Diagnosis;

namespace PgMedic.Core.Slo;

/// <summary>
/// One multiwindow burn-rate alert of the SRE workbook ("Alerting on SLOs", table 5-8): it fires while the
/// error budget burns faster than <see cref="Factor"/> times the sustainable rate over both the
/// <see cref="Long"/> window (enough budget is gone to matter) and the <see cref="Short"/> one (it is still
/// burning now, so the alert resolves soon after the burning stops).
/// </summary>
/// <param name="Name">The subject of the alert: the long window (<c>1h</c>, <c>6h</c>, <c>3d</c>).</param>
public sealed record BurnRateWindow(string Name, TimeSpan Long, TimeSpan Short, double Factor, Severity Severity)
{
    /// <summary>Page: 2 % of a 30-day budget spent in one hour.</summary>
    public static readonly BurnRateWindow Fast = new("1h", TimeSpan.FromHours(1), TimeSpan.FromMinutes(5), 14.4, Severity.Critical);

    /// <summary>Page: 5 % of a 30-day budget spent in six hours.</summary>
    public static readonly BurnRateWindow Medium = new("6h", TimeSpan.FromHours(6), TimeSpan.FromMinutes(30), 6, Severity.Critical);

    /// <summary>Ticket: 10 % of a 30-day budget spent in three days.</summary>
    public static readonly BurnRateWindow Slow = new("3d", TimeSpan.FromDays(3), TimeSpan.FromHours(6), 1, Severity.Warning);

    public static IReadOnlyList<BurnRateWindow> All { get; } = [Fast, Medium, Slow];

    /// <summary>The longest window any burn-rate alert reads.</summary>
    public static TimeSpan Longest => Slow.Long;

    public override string ToString() => $"{Factor}× over {Duration.Format(Long)} and {Duration.Format(Short)}";
}
