using PgMedic.Core.Alerts;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.SessionHistory;
using PgMedic.Core.Slo;

namespace PgMedic.Monitor.History;

/// <summary>One webhook delivery waiting in the outbox.</summary>
internal sealed record OutboxItem(long Id, string EventId, string Webhook, string Body, DateTimeOffset CreatedAt, int Attempts);

/// <summary>An alert change as kept in the timeline.</summary>
internal sealed record StoredAlertEvent(string EventId, string Target, string Rule, Severity Severity, string Subject, AlertState State, DateTimeOffset At, DateTimeOffset StartsAt, double Value, string Summary, long? IncidentId, FailureSignal? Signal);

/// <summary>An incident snapshot as listed: which alert fired, when; <see cref="Body"/> is null in lists and filled when one is read.</summary>
internal sealed record StoredIncident(long Id, string Target, string EventId, string Rule, Severity Severity, DateTimeOffset At, string Summary, IncidentBody? Body);

/// <summary>What pruning deletes: history (samples, alert events, incidents, delivered notifications), objective minutes and session samples older than each.</summary>
internal sealed record PruneCutoffs(DateTimeOffset History, DateTimeOffset Slo, DateTimeOffset Sessions);

/// <summary>
/// A target as the monitor last ran it, kept in the history so that a reader of the file alone (<c>pgmedic slo
/// --history</c>) knows its objective, whose attempts count, and how often it was polled and sampled.
/// </summary>
/// <param name="Connection">Masked: never a password.</param>
/// <param name="SampleInterval">Null when session sampling is off.</param>
internal sealed record StoredTarget(string Name, string Connection, SloOptions Slo, FailureSignal SloSource, TimeSpan PollInterval, TimeSpan? SampleInterval, DateTimeOffset Since);

/// <summary>Session samples to keep, with the keys and query texts first seen in them (written in the same transaction).</summary>
/// <param name="NewKeys">Keys numbered since the last run: the dictionary grows, never renumbers.</param>
/// <param name="NewQueries">Normalised text of fingerprints seen for the first time.</param>
internal sealed record ActivityRun(IReadOnlyList<ActivitySample> Samples, IReadOnlyDictionary<int, SessionKey> NewKeys, IReadOnlyDictionary<long, string> NewQueries);

/// <summary>
/// The monitor's memory: samples, the alert timeline and the alerts active now (restored after a restart,
/// so nothing fires twice), incident snapshots, and the webhook outbox (written in the same transaction as
/// the alert change it announces, so none is lost). SQLite in one file is the default
/// (<see cref="SqliteHistoryStore"/>); every dialect's particulars stay inside its implementation, so
/// another database can keep the same history behind this interface.
/// </summary>
internal interface IHistoryStore : IDisposable
{
    /// <summary>Where the history is kept, as shown to people (a file path; never a password).</summary>
    string Location { get; }

    /// <summary>One poll, atomically: the sample, its attempts for the objective, the alert changes with their incident snapshots, the outbox rows and the alerts active after it.</summary>
    Task RecordPollAsync(
        string target,
        MonitorSample sample,
        SloEntry slo,
        IReadOnlyList<AlertTransition> transitions,
        IReadOnlyCollection<ActiveAlert> active,
        Func<AlertTransition, IncidentBody?> incidentFor,
        IReadOnlyList<(AlertTransition Transition, string Webhook, string Body)> notifications,
        CancellationToken cancellationToken);

    /// <summary>A target removed from the monitor (issue 19: targets followed live): its closing alert events and their outbox rows, atomically, and no active alert left.</summary>
    Task RecordRemovalAsync(
        string target,
        IReadOnlyList<AlertTransition> transitions,
        IReadOnlyList<(AlertTransition Transition, string Webhook, string Body)> notifications,
        CancellationToken cancellationToken);

    Task<IReadOnlyList<ActiveAlert>> ActiveAlertsAsync(string? target, CancellationToken cancellationToken);

    /// <summary>The samples of <paramref name="target"/> from <paramref name="from"/> to <paramref name="to"/>, oldest first; the latest <paramref name="limit"/> when there are more.</summary>
    Task<IReadOnlyList<MonitorSample>> SamplesAsync(string target, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken);

    /// <summary>Usage of every poll with a snapshot from <paramref name="from"/> to <paramref name="to"/>, oldest first (what capacity planning reads, without findings).</summary>
    Task<IReadOnlyList<Core.Capacity.UsagePoint>> UsageAsync(string target, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>Alert changes since <paramref name="from"/>, newest first.</summary>
    Task<IReadOnlyList<StoredAlertEvent>> AlertEventsAsync(string? target, DateTimeOffset from, int limit, CancellationToken cancellationToken);

    /// <summary>Incident snapshots, newest first, without their bodies.</summary>
    Task<IReadOnlyList<StoredIncident>> IncidentsAsync(string? target, int limit, CancellationToken cancellationToken);

    Task<StoredIncident?> IncidentAsync(long id, CancellationToken cancellationToken);

    /// <summary>Notifications due now, oldest first; a webhook whose oldest notification is still backing off has none due (order is kept).</summary>
    Task<IReadOnlyList<OutboxItem>> DueNotificationsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>The earliest time an undelivered notification is due, or null when the outbox is empty.</summary>
    Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken);

    Task<int> PendingNotificationsAsync(CancellationToken cancellationToken);

    Task MarkDeliveredAsync(long id, DateTimeOffset at, CancellationToken cancellationToken);

    Task MarkFailedAsync(long id, DateTimeOffset next, string error, CancellationToken cancellationToken);

    Task MarkGivenUpAsync(long id, DateTimeOffset at, string error, CancellationToken cancellationToken);

    /// <summary>Deletes what is older than each retention: samples, alert events, incidents, delivered or abandoned notifications; objective minutes; session samples.</summary>
    Task PruneAsync(PruneCutoffs cutoffs, CancellationToken cancellationToken);

    /// <summary>Remembers the targets as this monitor runs them (replacing what an earlier run wrote for the same names).</summary>
    Task RecordTargetsAsync(IReadOnlyList<StoredTarget> targets, CancellationToken cancellationToken);

    /// <summary>Every target a monitor has recorded, by name.</summary>
    Task<IReadOnlyList<StoredTarget>> TargetsAsync(CancellationToken cancellationToken);

    /// <summary>A target's objective attempts per minute (each at the end of its minute) from <paramref name="from"/> on, oldest first: what a restarted monitor takes up.</summary>
    Task<IReadOnlyList<SloEntry>> SloMinutesAsync(string target, DateTimeOffset from, CancellationToken cancellationToken);

    /// <summary>Every session key of <paramref name="target"/> by its number.</summary>
    Task<IReadOnlyDictionary<int, SessionKey>> ActivityKeysAsync(string target, CancellationToken cancellationToken);

    Task AddActivityRunAsync(string target, ActivityRun run, CancellationToken cancellationToken);

    /// <summary>Session samples of <paramref name="target"/> taken from <paramref name="from"/> to <paramref name="to"/>, oldest first.</summary>
    Task<IReadOnlyList<ActivitySample>> ActivitySamplesAsync(string target, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>The normalised text of each fingerprint known.</summary>
    Task<IReadOnlyDictionary<long, string>> QueryTextsAsync(IReadOnlyCollection<long> fingerprints, CancellationToken cancellationToken);

    /// <summary>Thins every target's session samples taken before <paramref name="before"/> to one a minute, keeping <paramref name="top"/> sessions each.</summary>
    Task DownsampleActivityAsync(DateTimeOffset before, int top, CancellationToken cancellationToken);

    /// <summary>The first and last session sample of <paramref name="target"/>, or null when there is none.</summary>
    Task<(DateTimeOffset First, DateTimeOffset Last)?> ActivityRangeAsync(string target, CancellationToken cancellationToken);
}

/// <summary>How the history, the API, webhooks and metrics spell alert states, severities and signals.</summary>
internal static class HistoryNames
{
    public static string SeverityName(Severity severity) => severity.ToString().ToLowerInvariant();

    public static string StateName(AlertState state) => state.ToString().ToLowerInvariant();

    /// <summary>The signal as the API, webhooks and metrics spell it: <c>application</c> or <c>probe</c>.</summary>
    public static string? SignalName(FailureSignal? signal) => signal?.ToString().ToLowerInvariant();
}
