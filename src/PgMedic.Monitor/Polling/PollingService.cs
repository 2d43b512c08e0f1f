using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PgMedic.Monitor.Configuration;
using PgMedic.Monitor.History;
using PgMedic.Monitor.Notifications;

namespace PgMedic.Monitor.Polling;

/// <summary>Runs one poller per target, and prunes history past its retention once an hour.</summary>
internal sealed class PollingService : BackgroundService
{
    private readonly MonitorOptions _options;
    private readonly IHistoryStore _store;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;

    public PollingService(MonitorOptions options, IHistoryStore store, MonitorState state, WebhookComposer composer, OutboxSignal outbox, TimeProvider time, ILoggerFactory loggers)
    {
        _options = options;
        _store = store;
        _time = time;
        _http = new HttpClient { Timeout = options.Timeout };
        var logger = loggers.CreateLogger("PgMedic.Monitor.Polling");
        Pollers = options.Targets.ToDictionary(t => t.Name, t => new TargetPoller(t, options, store, state, composer, outbox, _http, time, logger), StringComparer.Ordinal);
    }

    public IReadOnlyDictionary<string, TargetPoller> Pollers { get; }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // The alerts active when the monitor stopped, so that none fires twice.
            foreach (var poller in Pollers.Values)
            {
                await poller.RestoreAsync(stoppingToken).ConfigureAwait(false);
            }

            var polls = Pollers.Values.Select(p => p.RunAsync(stoppingToken)).ToList();
            polls.Add(PruneAsync(stoppingToken));
            await Task.WhenAll(polls).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            foreach (var poller in Pollers.Values)
            {
                await poller.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task PruneAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), _time);
        do
        {
            await _store.PruneAsync(_time.GetUtcNow() - _options.Retention, cancellationToken).ConfigureAwait(false);
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }
}
