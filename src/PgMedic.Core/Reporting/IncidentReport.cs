using PgMedic.Core.Diagnosis;

namespace PgMedic.Core.Reporting;

/// <summary>One moment of an incident: detection, an alert, a finding, a plan, an action, a check, recovery.</summary>
public sealed record TimelineEntry(DateTimeOffset Time, string Kind, string Text);

/// <summary>Client connections before the first action and after the last check.</summary>
public sealed record BeforeAfter(int ClientBackendsBefore, int ClientBackendsAfter, double PercentBefore, double PercentAfter, bool Healthy);

/// <summary>As far as the evidence shows: which applications and call sites held the connections PgMedic had to take.</summary>
public sealed record RootCause(string Summary, IReadOnlyList<string> Applications, IReadOnlyList<string> CallSites, IReadOnlyList<string> Findings);

/// <summary>One line of the runbook's post-incident checklist, with what PgMedic can already answer.</summary>
public sealed record ChecklistItem(string Item, bool Answered, string Answer);

/// <summary>The post-incident record of <c>pgmedic report</c> (docs/commands/report.md).</summary>
public sealed record IncidentReport(
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<string> Targets,
    IReadOnlyList<TimelineEntry> Timeline,
    BeforeAfter? Numbers,
    RootCause? RootCause,
    int SessionsTerminated,
    int SessionsCancelled,
    double? DetectionToRecoverySeconds,
    IReadOnlyList<ChecklistItem> Checklist);

/// <summary>What the server looks like now, for the capacity item of the checklist (optional).</summary>
public sealed record CurrentCapacity(int ClientBackends, int UsableSlots, double PercentOfUsable, double IdleInTransactionSessionTimeoutSeconds)
{
    public static CurrentCapacity From(Snapshots.Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var usage = Usage.From(snapshot);
        return new CurrentCapacity(usage.ClientBackends, usage.UsableSlots, usage.PercentOfUsable, snapshot.Timeouts.IdleInTransactionSessionTimeout.TotalSeconds);
    }
}
