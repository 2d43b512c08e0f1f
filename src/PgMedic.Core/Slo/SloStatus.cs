using PgMedic.Core.Alerts;
using PgMedic.Core.Diagnosis;

namespace PgMedic.Core.Slo;

/// <summary>One burn-rate alert's arithmetic now: the burn over each of its windows against its factor.</summary>
/// <param name="Window">The alert's subject: its long window (<c>1h</c>, <c>6h</c>, <c>3d</c>).</param>
/// <param name="LongBurnRate">Failed attempts over the long window as a share of all, divided by the budget ratio: 1 spends the budget exactly over the objective's window.</param>
/// <param name="Burning">Both burn rates above the factor, with at least the short window's length of observed time in the long one: the alert's condition holds.</param>
public sealed record BurnRate(
    string Window,
    double LongWindowSeconds,
    double ShortWindowSeconds,
    double Factor,
    Severity Severity,
    double LongBurnRate,
    double ShortBurnRate,
    long LongAttempts,
    long LongFailures,
    bool Burning);

/// <summary>
/// A target's availability objective as of <see cref="To"/> (docs/commands/slo.md): availability over the
/// window so far, the error budget left as attempts and as minutes of complete outage, how much of the
/// window was observed, and the burn-rate alerts' arithmetic.
/// </summary>
/// <param name="Source">Whose attempts: the services' checkouts (<c>application</c>, when pool endpoints are listed) or the monitor's probes (<c>probe</c>).</param>
/// <param name="AvailabilityPercent">Good attempts as a percentage of all; null without attempts.</param>
/// <param name="BudgetAttempts">The failures the objective allows for the attempts made so far.</param>
/// <param name="BudgetRemainingAttempts">The allowed failures left (negative when overspent).</param>
/// <param name="BudgetRemainingRatio">The share of the budget left: 1 untouched, 0 spent, below 0 overspent.</param>
/// <param name="BudgetMinutes">The budget as minutes of complete outage over the window (43.2 for 99.9 % over 30 days).</param>
/// <param name="CoverageRatio">Observed time as a share of the window (from <see cref="ObservedSince"/> when later): the rest is neither good nor bad.</param>
public sealed record SloStatus(
    FailureSignal Source,
    double ObjectivePercent,
    double WindowSeconds,
    DateTimeOffset From,
    DateTimeOffset To,
    long Attempts,
    long Failures,
    double? AvailabilityPercent,
    double BudgetAttempts,
    double BudgetRemainingAttempts,
    double BudgetRemainingRatio,
    double BudgetMinutes,
    double BudgetRemainingMinutes,
    double CoverageRatio,
    DateTimeOffset? ObservedSince,
    IReadOnlyList<BurnRate> BurnRates);
