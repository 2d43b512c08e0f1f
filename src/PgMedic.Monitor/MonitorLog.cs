using Microsoft.Extensions.Logging;

namespace PgMedic.Monitor;

/// <summary>Source-generated log messages of the monitor. Targets are always logged masked.</summary>
internal static partial class MonitorLog
{
    [LoggerMessage(1, LogLevel.Information, "Watching {Target} ({Masked}) every {IntervalMs} ms")]
    public static partial void Watching(ILogger logger, string target, string masked, double intervalMs);

    [LoggerMessage(2, LogLevel.Warning, "Lifeline to {Target} lost or refused ({Reason}: {Message}); next attempt in {BackoffMs} ms")]
    public static partial void LifelineDown(ILogger logger, string target, string? reason, string? message, double backoffMs);

    [LoggerMessage(3, LogLevel.Information, "Lifeline to {Target} connected")]
    public static partial void LifelineUp(ILogger logger, string target);

    [LoggerMessage(4, LogLevel.Warning, "Alert {State}: {Target} {Rule} ({Severity}) {Subject}: {Summary}")]
    public static partial void AlertChanged(ILogger logger, string state, string target, string rule, string severity, string subject, string summary);

    [LoggerMessage(5, LogLevel.Error, "Polling {Target} failed: {Message}")]
    public static partial void PollFailed(ILogger logger, string target, string message);

    [LoggerMessage(6, LogLevel.Warning, "Webhook {Webhook} failed for event {EventId} (attempt {Attempt}): {Error}; retrying in {BackoffMs} ms")]
    public static partial void WebhookFailed(ILogger logger, string webhook, string eventId, int attempt, string error, double backoffMs);

    [LoggerMessage(7, LogLevel.Error, "Webhook {Webhook} gave up on event {EventId} after {Attempts} attempts: {Error}")]
    public static partial void WebhookGaveUp(ILogger logger, string webhook, string eventId, int attempts, string error);

    [LoggerMessage(8, LogLevel.Information, "Action {Action} on {Target} by the API: {Count} session(s)")]
    public static partial void ActionRun(ILogger logger, string action, string target, int count);

    [LoggerMessage(9, LogLevel.Warning, "Sampling the sessions of {Target} failed: {Error}")]
    public static partial void SamplingFailed(ILogger logger, string target, string error);

    [LoggerMessage(10, LogLevel.Warning, "Keeping the history failed: {Error}")]
    public static partial void HistoryMaintenanceFailed(ILogger logger, string error);

    [LoggerMessage(11, LogLevel.Information, "Watching {Target} ({Masked}) when /probe scrapes it")]
    public static partial void WatchingWhenScraped(ILogger logger, string target, string masked);

    [LoggerMessage(12, LogLevel.Information, "Stopped watching {Target}: {Reason}")]
    public static partial void StoppedWatching(ILogger logger, string target, string reason);

    [LoggerMessage(13, LogLevel.Warning, "Target file {File}: {Error}; its targets stay as they were until it is fixed")]
    public static partial void TargetFileRefused(ILogger logger, string file, string error);

    [LoggerMessage(14, LogLevel.Information, "Target {Target} belongs to shard {Owner} of {Count}: not polled by this instance (shard {Index})")]
    public static partial void NotOwned(ILogger logger, string target, int owner, int count, int index);
}
