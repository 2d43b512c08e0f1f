using System.Globalization;
using System.Text.Json;
using PgMedic.Core.Alerts;
using PgMedic.Monitor.Configuration;
using PgMedic.Monitor.History;

namespace PgMedic.Monitor.Notifications;

/// <summary>The generic webhook body: one alert state change, with an event id receivers de-duplicate by.</summary>
internal sealed record GenericWebhookBody(
    string EventId,
    string Source,
    string Target,
    string Connection,
    string Alert,
    string Severity,
    string State,
    string Subject,
    string Summary,
    double Value,
    DateTimeOffset At,
    DateTimeOffset StartsAt,
    string? Signal);

/// <summary>A Slack incoming-webhook body; <c>eventId</c> rides along for receivers that de-duplicate.</summary>
internal sealed record SlackWebhookBody(string Text, string EventId);

/// <summary>Renders the body of a notification when the alert changes, so the outbox holds exactly what is sent.</summary>
internal sealed class WebhookComposer
{
    public string Compose(WebhookOptions webhook, MonitoredTarget target, AlertTransition transition)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(transition);
        var severity = HistoryNames.SeverityName(transition.Severity);
        var state = HistoryNames.StateName(transition.State);
        if (webhook.Format == WebhookFormat.Slack)
        {
            var icon = transition.State == AlertState.Resolved ? ":large_green_circle:" : transition.Severity == Core.Diagnosis.Severity.Critical ? ":red_circle:" : ":large_orange_circle:";
            var subject = transition.Key.Subject.Length > 0 ? $" ({transition.Key.Subject})" : string.Empty;
            subject += transition.Signal is { } signal ? $" [signal: {HistoryNames.SignalName(signal)}]" : string.Empty;
            var text = string.Create(CultureInfo.InvariantCulture, $"{icon} *[{state.ToUpperInvariant()}] {transition.Key.Rule}*{subject} — {severity} on `{target.Name}`: {transition.Summary}");
            return JsonSerializer.Serialize(new SlackWebhookBody(text, transition.EventId), MonitorJsonContext.Dialect.SlackWebhookBody);
        }

        return JsonSerializer.Serialize(
            new GenericWebhookBody(transition.EventId, "pgmedic", target.Name, target.Masked, transition.Key.Rule, severity, state, transition.Key.Subject, transition.Summary, transition.Value, transition.At, transition.StartsAt, HistoryNames.SignalName(transition.Signal)),
            MonitorJsonContext.Dialect.GenericWebhookBody);
    }
}

/// <summary>Wakes the dispatcher when a poll put something in the outbox.</summary>
internal sealed class OutboxSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already awake.
        }
    }

    public Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var delay = Task.Delay(timeout, time, cancellationToken);
        return Task.WhenAny(_signal.WaitAsync(cancellationToken), delay);
    }
}
