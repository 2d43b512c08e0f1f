using PgMedic.Core.Alerts;
using PgMedic.Core.Diagnosis;

namespace PgMedic.Monitor.History;

/// <summary>One webhook delivery waiting in the outbox.</summary>
internal sealed record OutboxItem(long Id, string EventId, string Webhook, string Body, DateTimeOffset CreatedAt, int Attempts);

/// <summary>An alert change as kept in the timeline.</summary>
internal sealed record StoredAlertEvent(string EventId, string Target, string Rule, Severity Severity, string Subject, AlertState State, DateTimeOffset At, DateTimeOffset StartsAt, double Value, string Summary, long? IncidentId, FailureSignal? Signal);

/// <summary>An incident snapshot as listed: which alert fired, when; <see cref="Body"/> is null in lists and filled when one is read.</summary>
internal sealed record StoredIncident(long Id, string Target, string EventId, string Rule, Severity Severity, DateTimeOffset At, string Summary, IncidentBody? Body);

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

    /// <summary>One poll, atomically: the sample, the alert changes with their incident snapshots, the outbox rows and the alerts active after it.</summary>
    Task RecordPollAsync(
        string target,
        MonitorSample sample,
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

    /// <summary>Deletes what is older than the retention: samples, alert events, incidents, delivered or abandoned notifications.</summary>
    Task PruneAsync(DateTimeOffset before, CancellationToken cancellationToken);
}

/// <summary>How the history, the API, webhooks and metrics spell alert states, severities and signals.</summary>
internal static class HistoryNames
{
    public static string SeverityName(Severity severity) => severity.ToString().ToLowerInvariant();

    public static string StateName(AlertState state) => state.ToString().ToLowerInvariant();

    /// <summary>The signal as the API, webhooks and metrics spell it: <c>application</c> or <c>probe</c>.</summary>
    public static string? SignalName(FailureSignal? signal) => signal?.ToString().ToLowerInvariant();
}
