using System.Globalization;
using PgMedic.Core.Common;

namespace PgMedic.Core.Slo;

/// <summary>
/// A target's availability objective over connection attempts: the runbook's "Database Availability 99.9%"
/// over 30 days by default. <see cref="Validate"/> reports every error at once.
/// </summary>
public sealed record SloOptions
{
    /// <summary>The workbook's burn-rate alerts look back 3 days: a shorter objective window cannot hold them.</summary>
    public static readonly TimeSpan MinWindow = TimeSpan.FromDays(3);

    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(90);

    /// <summary>The share of attempts that must succeed, as a percentage (99.9).</summary>
    public double ObjectivePercent { get; init; } = 99.9;

    public TimeSpan Window { get; init; } = TimeSpan.FromDays(30);

    /// <summary>The error budget as a share of attempts: 1 − objective (0.001 for 99.9 %).</summary>
    public double BudgetRatio => Math.Round(1 - (ObjectivePercent / 100), 12);

    /// <summary>The budget as time: the minutes of complete outage the objective allows over its window (43.2 for 99.9 % over 30 days).</summary>
    public double BudgetMinutes => BudgetRatio * Window.TotalMinutes;

    /// <param name="where">How the errors name this objective: <c>slo</c> or <c>targets[0] (shop).slo</c>.</param>
    public IReadOnlyList<string> Validate(string where)
    {
        var errors = new List<string>();
        if (!(ObjectivePercent > 0 && ObjectivePercent < 100))
        {
            errors.Add($"{where}.objective must be a percentage above 0 and below 100, e.g. 99.9 (was {ObjectivePercent.ToString(CultureInfo.InvariantCulture)})");
        }

        if (Window < MinWindow || Window > MaxWindow)
        {
            errors.Add($"{where}.window must be between {Duration.Format(MinWindow)} and {Duration.Format(MaxWindow)} (was {Duration.Format(Window)}): the burn-rate alerts look back 3 days");
        }

        return errors;
    }
}
