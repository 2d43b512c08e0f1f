using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PgMedic.Core.Alerts;
using PgMedic.Monitor.Configuration;
using PgMedic.Monitor.History;
using PgMedic.Monitor.Notifications;

namespace PgMedic.Monitor.Polling;

/// <summary>
/// Runs one poller per target this instance owns (each with its session sampler where sessions are sampled
/// more often than polled), follows the target list as it changes (targets added, changed and removed while
/// running), and keeps the history once an hour: thins session samples older than
/// <c>sessionHistory.downsampleAfter</c> to one a minute and deletes what is past each retention.
/// </summary>
internal sealed class PollingService : BackgroundService
{
    private readonly MonitorOptions _options;
    private readonly IHistoryStore _store;
    private readonly MonitorState _state;
    private readonly WebhookComposer _composer;
    private readonly OutboxSignal _outbox;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, TargetPoller> _pollers = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _changeGate = new(1, 1);
    private readonly TaskCompletionSource _restored = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _started;
    private bool _stopped;

    public PollingService(MonitorOptions options, IHistoryStore store, MonitorState state, WebhookComposer composer, OutboxSignal outbox, TimeProvider time, ILoggerFactory loggers)
    {
        _options = options;
        _store = store;
        _state = state;
        _composer = composer;
        _outbox = outbox;
        _time = time;
        _http = new HttpClient { Timeout = options.Timeout };
        _logger = loggers.CreateLogger("PgMedic.Monitor.Polling");

        // Known before the server answers its first request; the pollers start with the service.
        foreach (var target in options.Targets)
        {
            Add(target);
        }
    }

    /// <summary>The pollers of the targets this instance owns, by name.</summary>
    public IReadOnlyDictionary<string, TargetPoller> Pollers => _pollers;

    /// <summary>Completes once every poller of the configured targets has taken up what the history remembers (alerts, the objective's attempts, session keys).</summary>
    public Task Restored => _restored.Task;

    /// <summary>
    /// Makes the monitored targets exactly <paramref name="targets"/>: new ones are added (and polled
    /// within one interval), changed ones restarted with their active alerts kept, removed ones stopped
    /// and their alerts closed.
    /// </summary>
    public async Task ApplyAsync(IReadOnlyList<MonitoredTarget> targets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targets);
        await _changeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Stopping: a change arriving now would start a poller nothing disposes (its lifeline left open).
            if (_stopped)
            {
                return;
            }

            var wanted = targets.ToDictionary(t => t.Name, StringComparer.Ordinal);
            foreach (var gone in _state.All.Where(s => !wanted.ContainsKey(s.Target.Name)).ToList())
            {
                await RemoveAsync(gone.Target, cancellationToken).ConfigureAwait(false);
            }

            var added = new List<TargetPoller>();
            foreach (var target in targets)
            {
                var current = _state.Get(target.Name)?.Target;
                if (current is not null && Same(current, target))
                {
                    continue;
                }

                if (current is not null && _pollers.TryRemove(target.Name, out var old))
                {
                    await old.DisposeAsync().ConfigureAwait(false);
                    MonitorLog.StoppedWatching(_logger, target.Name, "its definition changed; watching the new one");
                }

                if (Add(target) is { } poller)
                {
                    added.Add(poller);
                }
            }

            if (_started && added.Count > 0)
            {
                // Remembered before they poll, so a reader of the history knows their objective and intervals.
                await _store.RecordTargetsAsync(added.Select(p => p.Stored()).ToList(), cancellationToken).ConfigureAwait(false);
                foreach (var poller in added)
                {
                    poller.Start();
                }
            }
        }
        finally
        {
            _changeGate.Release();
        }
    }

    public override void Dispose()
    {
        _http.Dispose();
        _changeGate.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await _changeGate.WaitAsync(stoppingToken).ConfigureAwait(false);
            try
            {
                // The alerts active when the monitor stopped, so that none fires twice; the objective's minutes; the session keys.
                foreach (var poller in _pollers.Values)
                {
                    await poller.RestoreAsync(stoppingToken).ConfigureAwait(false);
                }

                await _store.RecordTargetsAsync(_pollers.Values.Select(p => p.Stored()).ToList(), stoppingToken).ConfigureAwait(false);
                _restored.TrySetResult();
                _started = true;
                foreach (var poller in _pollers.Values)
                {
                    poller.Start();
                }
            }
            finally
            {
                _changeGate.Release();
            }

            await MaintainAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            _restored.TrySetResult();

            // After any change in progress (the target directory's), and none after: each poller stops its
            // timer and sampler, writes the session samples still waiting, and closes its lifeline.
            await _changeGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                _stopped = true;
                foreach (var poller in _pollers.Values)
                {
                    await poller.DisposeAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                _changeGate.Release();
            }
        }
    }

    /// <summary>Two definitions of one name that poll the same way: a file rewritten with the same content changes nothing.</summary>
    private static bool Same(MonitoredTarget a, MonitoredTarget b) =>
        a.Connection == b.Connection && a.Poll == b.Poll && a.SourceFile == b.SourceFile && a.PoolToken == b.PoolToken && a.PoolEndpoints.SequenceEqual(b.PoolEndpoints)
        && a.Slo == b.Slo && a.SessionHistory == b.SessionHistory && a.SessionSampleInterval == b.SessionSampleInterval;

    private TargetPoller? Add(MonitoredTarget target)
    {
        // Without alerts until the poller restores those of a previous run, before its first poll.
        _state.Upsert(target, []);
        if (!_state.Owns(target.Name))
        {
            MonitorLog.NotOwned(_logger, target.Name, _options.Shard.OwnerOf(target.Name), _options.Shard.Count, _options.Shard.Index);
            return null;
        }

        var poller = new TargetPoller(target, _options, _store, _state, _composer, _outbox, _http, _time, _logger);
        _pollers[target.Name] = poller;
        return poller;
    }

    /// <summary>
    /// Stops polling a removed target and closes its alerts: a firing one is resolved, and notified, with
    /// a summary that says the target is no longer watched — not that the condition cleared.
    /// </summary>
    private async Task RemoveAsync(MonitoredTarget target, CancellationToken cancellationToken)
    {
        if (_pollers.TryRemove(target.Name, out var poller))
        {
            await poller.DisposeAsync().ConfigureAwait(false);
        }

        _state.Remove(target.Name);
        if (!_state.Owns(target.Name))
        {
            return;
        }

        var now = _time.GetUtcNow();
        var where = target.SourceFile is { } file ? $"removed from {Path.GetFileName(file)}" : "removed from the configuration";
        var closed = (await _store.ActiveAlertsAsync(target.Name, cancellationToken).ConfigureAwait(false))
            .Where(a => a.State == AlertState.Firing)
            .Select(a => new AlertTransition(Guid.NewGuid().ToString("N"), a.Key, AlertState.Resolved, now, a.Since, a.Value, $"no longer watched: the target was {where} (last seen: {a.Summary})") { Signal = a.Signal })
            .ToList();
        var notifications = closed.SelectMany(t => _options.Webhooks.Select(w => (t, w.Name, _composer.Compose(w, target, t)))).ToList();
        await _store.RecordRemovalAsync(target.Name, closed, notifications, cancellationToken).ConfigureAwait(false);
        if (notifications.Count > 0)
        {
            _outbox.Wake();
        }

        MonitorLog.StoppedWatching(_logger, target.Name, closed.Count == 0 ? where : $"{where}; {closed.Count} firing alert(s) closed");
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

        // Every target known, not only this shard's: with a shared history, pruning is for all of them.
        var longestObjective = _state.All.Select(s => s.Target.Slo.Window).DefaultIfEmpty(_options.Slo.Window).Max();
        await _store.PruneAsync(
            new PruneCutoffs(
                now - _options.Retention,
                now - (longestObjective > _options.Retention ? longestObjective : _options.Retention),
                now - (sessions.Retention ?? _options.Retention)),
            cancellationToken).ConfigureAwait(false);
    }
}
