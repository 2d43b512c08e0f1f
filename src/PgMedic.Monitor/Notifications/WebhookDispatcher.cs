using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PgMedic.Monitor.Configuration;
using PgMedic.Monitor.History;

namespace PgMedic.Monitor.Notifications;

/// <summary>
/// Delivers the outbox: each webhook's notifications in order, retried with exponential backoff while
/// the receiver is down, and picked up again after a restart — a notification leaves the outbox only
/// when the receiver answered 2xx (or after <see cref="DeliveryOptions.GiveUpAfter"/>).
/// </summary>
internal sealed class WebhookDispatcher(MonitorOptions options, IHistoryStore store, OutboxSignal signal, TimeProvider time, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(1);
    private readonly HttpClient _http = new() { Timeout = options.Delivery.RequestTimeout };

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Webhooks.Count == 0)
        {
            return;
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await DeliverDueAsync(stoppingToken).ConfigureAwait(false);
                var now = time.GetUtcNow();
                var wait = await store.NextDueAsync(stoppingToken).ConfigureAwait(false) is { } due && due - now < Idle ? (due > now ? due - now : TimeSpan.FromMilliseconds(10)) : Idle;
                await signal.WaitAsync(wait, time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; undelivered notifications stay in the outbox for the next start.
        }
    }

    internal async Task DeliverDueAsync(CancellationToken cancellationToken)
    {
        var blocked = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in await store.DueNotificationsAsync(time.GetUtcNow(), 100, cancellationToken).ConfigureAwait(false))
        {
            // Keep each webhook's order: once one fails, its later notifications wait for it.
            if (blocked.Contains(item.Webhook))
            {
                continue;
            }

            var webhook = options.Webhooks.FirstOrDefault(w => w.Name == item.Webhook);
            if (webhook is null)
            {
                await store.MarkGivenUpAsync(item.Id, time.GetUtcNow(), "the webhook is no longer configured", cancellationToken).ConfigureAwait(false);
                continue;
            }

            var error = await SendAsync(webhook, item, cancellationToken).ConfigureAwait(false);
            var now = time.GetUtcNow();
            if (error is null)
            {
                await store.MarkDeliveredAsync(item.Id, now, cancellationToken).ConfigureAwait(false);
                continue;
            }

            blocked.Add(item.Webhook);
            if (now - item.CreatedAt > options.Delivery.GiveUpAfter)
            {
                await store.MarkGivenUpAsync(item.Id, now, error, cancellationToken).ConfigureAwait(false);
                MonitorLog.WebhookGaveUp(logger, webhook.Name, item.EventId, item.Attempts + 1, error);
                continue;
            }

            var backoff = Backoff(item.Attempts);
            await store.MarkFailedAsync(item.Id, now + backoff, error, cancellationToken).ConfigureAwait(false);
            MonitorLog.WebhookFailed(logger, webhook.Name, item.EventId, item.Attempts + 1, error, backoff.TotalMilliseconds);
        }
    }

    internal TimeSpan Backoff(int failedAttempts)
    {
        var factor = Math.Pow(2, Math.Min(failedAttempts, 30));
        var ticks = Math.Min(options.Delivery.InitialBackoff.Ticks * factor, options.Delivery.MaxBackoff.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    private async Task<string?> SendAsync(WebhookOptions webhook, OutboxItem item, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url)
            {
                Content = new StringContent(item.Body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
            };
            request.Headers.TryAddWithoutValidation("X-PgMedic-Event-Id", item.EventId);
            foreach (var (name, value) in webhook.Headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : $"{(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return ex.Message.ReplaceLineEndings(" ");
        }
    }
}
