using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PgMedic.Monitor.Configuration;
using PgMedic.Monitor.History;
using PgMedic.Monitor.Notifications;

namespace PgMedic.Monitor.Polling;

/// <summary>
/// Runs one poller per target (and a session sampler where sessions are sampled more often than polled), and
/// keeps the history once an hour: thins session samples older than <c>sessionHistory.downsampleAfter</c> to
/// one a minute and deletes what is past each retention.
/// </summary>
internal sealed class PollingService : BackgroundService
{
    private readonly MonitorOptions _options;
    private readonly IHistoryStore _store;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly ILogger _logger;

    public PollingService(MonitorOptions options, IHistoryStore store, MonitorState state, WebhookComposer composer, OutboxSignal outbox, TimeProvider time, ILoggerFactory loggers)
    {
        _options = options;
        _store = store;
        _time = time;
        _http = new HttpClient { Timeout = options.Timeout };
        _logger = loggers.CreateLogger("PgMedic.Monitor.Polling");
        Pollers = options.Targets.ToDictionary(t => t.Name, t => new TargetPoller(t, options, store, state, composer, outbox, _http, time, _logger), StringComparer.Ordinal);
    }

    public IReadOnlyDictionary<string, TargetPoller> Pollers { get; }

    /// <summary>Completes once every poller has taken up what the history remembers (alerts, the objective's attempts, session keys).</summary>
    public Task Restored => _restored.Task;

    private readonly TaskCompletionSource _restored = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // The alerts active when the monitor stopped, so that none fires twice; the objective's minutes; the session keys.
            foreach (var poller in Pollers.Values)
            {
                await poller.RestoreAsync(stoppingToken).ConfigureAwait(false);
            }

            await _store.RecordTargetsAsync(Pollers.Values.Select(p => p.Stored()).ToList(), stoppingToken).ConfigureAwait(false);
            _restored.TrySetResult();
            var work = Pollers.Values.Select(p => p.RunAsync(stoppingToken)).ToList();
            work.AddRange(Pollers.Values.Select(p => p.Sessions).OfType<SessionSampler>().Where(s => !s.FromPolls).Select(s => s.RunAsync(stoppingToken)));
            work.Add(MaintainAsync(stoppingToken));
            await Task.WhenAll(work).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            _restored.TrySetResult();
            foreach (var poller in Pollers.Values)
            {
                if (poller.Sessions is { } sessions)
                {
                    await sessions.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                }

                await poller.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task MaintainAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), _time);
        do
        {
            try
            {
                await MaintainOnceAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                MonitorLog.HistoryMaintenanceFailed(_logger, ex.Message.ReplaceLineEndings(" "));
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    internal async Task MaintainOnceAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var sessions = _options.SessionHistory;
        await _store.DownsampleActivityAsync(now - sessions.DownsampleAfter, sessions.TopSessions, cancellationToken).ConfigureAwait(false);
        var longestObjective = _options.Targets.Select(t => t.Slo.Window).DefaultIfEmpty(_options.Slo.Window).Max();
        await _store.PruneAsync(
            new PruneCutoffs(
                now - _options.Retention,
                now - (longestObjective > _options.Retention ? longestObjective : _options.Retention),
                now - (sessions.Retention ?? _options.Retention)),
            cancellationToken).ConfigureAwait(false);
    }
}
