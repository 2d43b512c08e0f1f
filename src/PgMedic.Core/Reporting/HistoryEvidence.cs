using PgMedic.Core.Alerts;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.SessionHistory;

namespace PgMedic.Core.Reporting;

/// <summary>One alert change from the monitor's timeline.</summary>
public sealed record MonitorAlertChange(DateTimeOffset At, string Alert, Severity Severity, string Subject, AlertState State, string Summary, FailureSignal? Signal);

/// <summary>The busiest poll of one minute around the incident: usage of usable slots, and the failure rate the monitor measured then.</summary>
/// <param name="FailureRatio">The services' failure ratio when pool endpoints were listed, else the probe's share of failed polls in the minute.</param>
public sealed record IncidentPoint(DateTimeOffset At, int ClientBackends, int UsableSlots, double PercentOfUsable, double? FailureRatio);

/// <summary>What the incident cost the availability objective: its failed attempts against the window's budget.</summary>
/// <param name="Failures">Failed attempts from the incident's start to its end.</param>
/// <param name="BudgetSpentRatio">Those failures as a share of the window's error budget.</param>
/// <param name="BudgetSpentMinutes">The same as minutes of complete outage (of the budget's <see cref="BudgetMinutes"/>).</param>
/// <param name="BudgetRemainingRatio">The share of the budget left at the end of the report's period.</param>
public sealed record SloImpact(
    double ObjectivePercent,
    double WindowSeconds,
    FailureSignal Source,
    long Attempts,
    long Failures,
    double? AvailabilityPercent,
    double BudgetSpentRatio,
    double BudgetSpentMinutes,
    double BudgetMinutes,
    double BudgetRemainingRatio);

/// <summary>
/// What the monitor's history holds about an incident (<c>pgmedic report --history</c>): its alert timeline,
/// usage and the failure rate minute by minute, the objective's budget it consumed, and what the server
/// was doing at the first alert (the holders by application and statement, the lock tree).
/// </summary>
/// <param name="Location">Where the history was read: the file, or the monitor's address.</param>
/// <param name="IncidentFrom">The first alert that fired in the period; null when none did.</param>
/// <param name="IncidentTo">The last resolution after it; null while an alert still fires.</param>
/// <param name="AtFirstAlert">The session history at the first alert; null when sessions were not sampled then.</param>
public sealed record HistoryEvidence(
    string Target,
    string Location,
    DateTimeOffset From,
    DateTimeOffset To,
    DateTimeOffset? IncidentFrom,
    DateTimeOffset? IncidentTo,
    IReadOnlyList<MonitorAlertChange> Alerts,
    IReadOnlyList<IncidentPoint> Minutes,
    IncidentPoint? PeakUsage,
    IncidentPoint? PeakFailure,
    SloImpact? Slo,
    ActivityMoment? AtFirstAlert);
