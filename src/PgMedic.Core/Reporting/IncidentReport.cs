using System.Text.Json.Serialization;
using PgMedic.Core.Common;
using PgMedic.Core.Diagnosis;

namespace PgMedic.Core.Reporting;

/// <summary>One moment of an incident: detection, an alert, a finding, a plan, an action, a check, a stop, recovery.</summary>
public sealed record TimelineEntry(DateTimeOffset Time, string Kind, string Text);

/// <summary>Client connections before the first action and after the last check.</summary>
public sealed record BeforeAfter(int ClientBackendsBefore, int ClientBackendsAfter, double PercentOfUsableBefore, double PercentOfUsableAfter, bool Healthy);

/// <summary>
/// As far as the evidence shows: the first finding, in the order diagnosis recorded them (most severe
/// first), that names a cause — a lock chain's head, a leak suspect, a transaction left open — never who
/// had the most sessions terminated. <see cref="Application"/> is null when no recorded finding names one.
/// </summary>
public sealed record RootCause(string Summary, string? Application, string? Finding, IReadOnlyList<string> CallSites, IReadOnlyList<string> Findings);

/// <summary>Sessions of one application that PgMedic terminated: what was done, not why.</summary>
public sealed record TerminatedSessions(string Application, int Sessions);

/// <summary>
/// Whether the records show service back: a verification that passed with no failed check and no stopped
/// playbook after it. When not, <see cref="NotVerifiedBecause"/> says what the records show instead.
/// </summary>
public sealed record Recovery(bool Verified, DateTimeOffset? At, string? NotVerifiedBecause);

[JsonConverter(typeof(JsonStringEnumConverter<PlaybookEnding>))]
public enum PlaybookEnding
{
    /// <summary>Every step ran, through the final verification.</summary>
    [JsonStringEnumMemberName("finished")]
    Finished,

    /// <summary>A step failed and the playbook stopped there.</summary>
    [JsonStringEnumMemberName("stopped")]
    Stopped,

    /// <summary>The records end before the final verification, with no stop recorded (the run was interrupted).</summary>
    [JsonStringEnumMemberName("unfinished")]
    Unfinished,
}

/// <summary>Maintenance mode as the hook records leave it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MaintenanceMode>))]
public enum MaintenanceMode
{
    /// <summary>No maintenance hook ran.</summary>
    [JsonStringEnumMemberName("not-used")]
    NotUsed,

    /// <summary>Turned on and not turned off again: still ON.</summary>
    [JsonStringEnumMemberName("on")]
    On,

    /// <summary>The maintenance-on hook failed: it may be half on.</summary>
    [JsonStringEnumMemberName("maybe-on")]
    MaybeOn,

    /// <summary>Turned on, then off again.</summary>
    [JsonStringEnumMemberName("off")]
    Off,
}

/// <summary>One run of the emergency playbook: how it ended, where it stopped and why, and what it left on.</summary>
public sealed record PlaybookRun(DateTimeOffset Started, string Command, PlaybookEnding Ending, string? StoppedAt, string? Why, MaintenanceMode Maintenance);

/// <summary>One line of the runbook's post-incident checklist, with what PgMedic can already answer.</summary>
public sealed record ChecklistItem(string Item, bool Answered, string Answer);

/// <summary>The post-incident record of <c>pgmedic report</c> (docs/commands/report.md).</summary>
/// <param name="DetectionToRecoverySeconds">From the first alert or finding to the verified recovery; null unless <see cref="Recovery"/> is verified.</param>
public sealed record IncidentReport(
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<string> Targets,
    IReadOnlyList<TimelineEntry> Timeline,
    BeforeAfter? Numbers,
    RootCause? RootCause,
    int SessionsTerminated,
    IReadOnlyList<TerminatedSessions> TerminatedByApplication,
    int SessionsCancelled,
    Recovery Recovery,
    double? DetectionToRecoverySeconds,
    IReadOnlyList<PlaybookRun> Playbooks,
    IReadOnlyList<ChecklistItem> Checklist)
{
    /// <summary>The command's exit code: a report that could be written exits 0, whatever the incident was.</summary>
    public ExitCode ExitCode => ExitCode.Ok;

    /// <summary>The monitor's history of the incident, when the report read it (<c>--history</c>); null otherwise.</summary>
    public HistoryEvidence? History { get; init; }
}

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
