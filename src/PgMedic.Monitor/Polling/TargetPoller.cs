using Microsoft.Extensions.Logging;
using PgMedic.Core.Alerts;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Probing;
using PgMedic.Core.Slo;
using PgMedic.Core.Snapshots;
using PgMedic.Monitor.Api;
using PgMedic.Monitor.Configuration;
using PgMedic.Monitor.History;
using PgMedic.Monitor.Notifications;
using PgMedic.Postgres.AppPools;
using PgMedic.Postgres.Probing;

namespace PgMedic.Monitor.Polling;

/// <summary>
/// Polls one target each interval: a snapshot over the lifeline (with the diagnose collector and
/// rules, and services' <c>/health/pool</c> holders joined by backend PID), then one fresh unpooled
/// connection exactly as an application would make it, then the alert rules over the sample history —
/// the runbook's failure rate from both the probe and the services' own checkout counters, read from
/// the same <c>/health/pool</c> documents; everything it learns goes to the history in one transaction, with the poll's attempts for the availability
/// objective (whose burn-rate alerts join the others) and, where sessions are sampled, the poll's sessions.
/// </summary>
internal sealed class TargetPoller(
    MonitoredTarget target,
    MonitorOptions options,
    IHistoryStore store,
    MonitorState state,
    WebhookComposer composer,
    OutboxSignal outbox,
    HttpClient http,
    TimeProvider time,
    ILogger logger) : IAsyncDisposable
{
    private readonly List<MonitorSample> _history = [];
    private AlertEngine? _engine;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Lock _flightGate = new();
    private readonly Lifeline _lifeline = new(
        target,
        options.Timeout,
        options.PollInterval < TimeSpan.FromSeconds(1) ? options.PollInterval : TimeSpan.FromSeconds(1),
        TimeSpan.FromSeconds(30),
        time,
        logger);

    private readonly RepeatedProber _prober = new(target.Connection);
    private readonly SloLedger _slo = new(target.Slo.Window);
    private readonly SloAttemptCounter _attempts = new(target.PoolEndpoints.Count, options.PollInterval);
    private SessionSampler? _sessions;
    private Task<TargetStatus>? _flight;
    private Task? _schedule;
    private Task? _sampling;
    private Task? _restoring;

    public MonitoredTarget Target => target;

    public Lifeline Lifeline => _lifeline;

    public PollMode Mode => target.Poll ?? options.Poll;

    /// <summary>This target's active session history; null when it is off.</summary>
    public SessionSampler? Sessions
    {
        get
        {
            if (!target.SessionHistory)
            {
                return null;
            }

            lock (_flightGate)
            {
                return _sessions ??= new SessionSampler(target, options, store, _lifeline, time, logger);
            }
        }
    }

    /// <summary>The objective's attempts as counted so far (exact per poll for 6 hours, coarser beyond).</summary>
    public SloLedger Slo => _slo;

    public FailureSignal SloSource => _attempts.Source;

    /// <summary>
    /// Starts the timer when this target is polled every interval (a target polled when scraped waits for
    /// <see cref="PollAsync"/>), and the session sampler when it samples more often than it polls.
    /// </summary>
    public void Start()
    {
        if (Sessions is { FromPolls: false } sessions)
        {
            _sampling = sessions.RunAsync(_lifetime.Token);
        }

        if (Mode == PollMode.Interval)
        {
            MonitorLog.Watching(logger, target.Name, target.Masked, options.PollInterval.TotalMilliseconds);
            _schedule = RunAsync(_lifetime.Token);
        }
        else
        {
            MonitorLog.WatchingWhenScraped(logger, target.Name, target.Masked);
        }
    }

    /// <summary>
    /// One poll, single-flight: a caller arriving while a poll of this target runs (the timer's or another
    /// scrape's) gets that poll's result instead of starting a second one, so scrapes never pile up on the
    /// server. The poll runs to its own timeouts even when the caller gives up waiting.
    /// </summary>
    public Task<TargetStatus> PollAsync(CancellationToken cancellationToken) => JoinOrStart(null).WaitAsync(cancellationToken);

    private Task<TargetStatus> JoinOrStart(DateTimeOffset? scheduled)
    {
        lock (_flightGate)
        {
            if (_flight is null || _flight.IsCompleted)
            {
                _flight = PollOnceAsync(scheduled, _lifetime.Token);
            }

            return _flight;
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();

        // The first poll at once; then each target at its own phase of the interval, so that a hundred
        // targets do not all poll in the same instant every interval.
        var scheduled = time.GetUtcNow();
        var phase = Phase(target.Name, options.PollInterval);
        var first = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            var started = time.GetUtcNow();
            try
            {
                await JoinOrStart(scheduled).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                MonitorLog.PollFailed(logger, target.Name, Redact(ex.Message.ReplaceLineEndings(" ")));
            }

            // The next tick after this poll started: the ticks it came late for are the one it answered, and a
            // tick that passed while it ran is polled at once — as a PeriodicTimer's missed ticks make one.
            scheduled = first ? scheduled + phase : scheduled + options.PollInterval;
            while (scheduled <= started)
            {
                scheduled += options.PollInterval;
            }

            first = false;
            var wait = scheduled - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var delay = Task.Delay(wait, time, waiting.Token);

                // The clock may have moved on between reading it and starting the delay (a test's fake clock
                // moves in steps): then the tick is due already, and the delay would end a step too late.
                if (time.GetUtcNow() < scheduled)
                {
                    await delay.ConfigureAwait(false);
                }
                else
                {
                    await waiting.CancelAsync().ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>A stable offset within the interval from the target's name.</summary>
    private static TimeSpan Phase(string name, TimeSpan interval)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name));
        var fraction = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(hash) / (double)uint.MaxValue;
        return TimeSpan.FromTicks((long)(interval.Ticks * fraction));
    }

    public async Task StopAsync()
    {
        await _lifetime.CancelAsync().ConfigureAwait(false);
        Task? flight;
        lock (_flightGate)
        {
            flight = _flight;
        }

        foreach (var task in new[] { _schedule, _sampling, flight })
        {
            if (task is null)
            {
                continue;
            }

            try
            {
                await task.ConfigureAwait(false);
            }
            catch (Exception) when (_lifetime.IsCancellationRequested)
            {
                // Stopping: a poll cut short is not an error, and a failed one was already reported to its callers.
            }
        }
    }

    /// <summary>
    /// Takes up what the history remembers of this target — the alerts pending or firing when the monitor
    /// last stopped (or when this target was redefined), so none fires twice; the objective's minutes; the
    /// session keys — once, before the first poll. A restore that failed is tried again by the next caller.
    /// </summary>
    public Task RestoreAsync(CancellationToken cancellationToken)
    {
        lock (_flightGate)
        {
            if (_restoring is null || _restoring.IsFaulted || _restoring.IsCanceled)
            {
                _restoring = RestoreOnceAsync(_lifetime.Token);
            }

            return _restoring.WaitAsync(cancellationToken);
        }
    }

    private async Task RestoreOnceAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        var active = await store.ActiveAlertsAsync(target.Name, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        foreach (var minute in await store.SloMinutesAsync(target.Name, now - target.Slo.Window, cancellationToken).ConfigureAwait(false))
        {
            _slo.Add(minute);
        }

        _slo.Trim(now);
        if (Sessions is { } sessions)
        {
            await sessions.LoadAsync(cancellationToken).ConfigureAwait(false);
        }

        if (state.Get(target.Name) is { PolledAt: null } initial)
        {
            state.Set(initial with { Alerts = active });
        }

        _engine = new AlertEngine(active);
    }

    private async Task<TargetStatus> PollOnceAsync(DateTimeOffset? scheduled, CancellationToken cancellationToken)
    {
        await Task.Yield();
        await RestoreAsync(cancellationToken).ConfigureAwait(false);
        var engine = _engine!;
        var at = time.GetUtcNow();
        var started = time.GetTimestamp();
        var reading = ReadPoolsAsync(cancellationToken);

        // The fresh connection and the snapshot at once, so a poll (and a scrape) takes the longer of the two, not
        // both; the probe's own backend, which the snapshot may have seen, is left out of it. A lifeline that must
        // reconnect first goes before the probe, as it did before: on a nearly full server the slot is its.
        var probing = _lifeline.IsConnected ? _prober.ProbeAsync(options.Timeout, cancellationToken) : null;
        var (snapshot, lifelineFailure) = await _lifeline.CollectAsync(cancellationToken).ConfigureAwait(false);
        var probe = await (probing ?? _prober.ProbeAsync(options.Timeout, cancellationToken)).ConfigureAwait(false);
        snapshot = snapshot?.Without(probe.BackendPid);
        var pools = await reading.ConfigureAwait(false);
        var succeeded = probe.Outcome == ProbeOutcome.Accepting;
        var latency = probe.ConnectMilliseconds is { } c ? c + (probe.QueryMilliseconds ?? 0) : (double?)null;
        var report = snapshot is not null
            ? DiagnosisReport.FromSnapshot(probe, snapshot, target.Thresholds, pools)
            : DiagnosisReport.FromFailedProbe(succeeded && lifelineFailure is not null ? lifelineFailure : probe) with { Pools = pools };
        var sample = MonitorSample.FromReport(at, report, succeeded, succeeded ? null : probe.Reason, latency is { } ms ? Math.Round(ms, 2) : null);

        _history.Add(sample);
        var keep = target.Alerts.HistoryNeeded(options.PollInterval) + options.PollInterval;
        _history.RemoveAll(s => s.At < at - keep);
        var failures = FailureRates.Measure(_history, target.Alerts.DatabaseConnectionFailure.Window);
        sample = sample with { ApplicationFailureRatio = failures.Application?.Ratio is { } ratio ? Math.Round(ratio, 4) : null };
        _history[^1] = sample;
        var attempts = _attempts.Count(sample);
        if (attempts.Counts.Attempts > 0 || attempts.Counts.ObservedSeconds > 0)
        {
            _slo.Add(attempts);
        }

        _slo.Trim(at);
        var slo = SloEvaluator.Status(_slo, target.Slo, _attempts.Source, at);
        var signals = AlertSignals.Evaluate(target.Name, _history, target.Alerts, options.PollInterval)
            .Concat(SloEvaluator.BurnRateSignals(target.Name, slo, target.Slo, target.Alerts.SloBurnRate))
            .ToList();
        var transitions = engine.Apply(signals, at, target.Name, AlertSignals.IsStale(_history));
        var notifications = transitions
            .Where(t => t.State is AlertState.Firing or AlertState.Resolved)
            .SelectMany(t => options.Webhooks.Select(w => (t, w.Name, composer.Compose(w, target, t))))
            .ToList();
        var writing = time.GetTimestamp();
        await store.RecordPollAsync(target.Name, sample, attempts, transitions, engine.Active, _ => Incident(snapshot, lifelineFailure), notifications, cancellationToken).ConfigureAwait(false);
        var written = time.GetElapsedTime(writing);
        foreach (var t in transitions.Where(t => t.State != AlertState.Pending))
        {
            MonitorLog.AlertChanged(logger, HistoryNames.StateName(t.State), target.Name, t.Key.Rule, HistoryNames.SeverityName(t.Severity), t.Key.Subject, t.Summary);
        }

        if (snapshot is not null && Sessions is { FromPolls: true } sessions)
        {
            await sessions.AddAsync(at, snapshot.TakenAt, snapshot.Sessions, cancellationToken).ConfigureAwait(false);
        }

        var previous = state.Get(target.Name);
        var status = new TargetStatus(
            target,
            at,
            sample,
            report,
            snapshot,
            probe,
            _lifeline.IsConnected,
            engine.Active.ToList(),
            (previous?.ProbeAttempts ?? 0) + 1,
            (previous?.ProbeFailures ?? 0) + (succeeded ? 0 : 1))
        {
            Failures = failures,
            FreshAt = snapshot is not null ? at : previous?.FreshAt,
            Timing = new PollTiming(time.GetElapsedTime(started), scheduled is { } s ? at - s : null, written),
            Slo = slo,
            SloAttempts = (previous?.SloAttempts ?? 0) + attempts.Counts.Attempts,
            SloFailures = (previous?.SloFailures ?? 0) + attempts.Counts.Bad,
        };
        state.Set(status);
        if (notifications.Count > 0)
        {
            outbox.Wake();
        }

        return status;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_sessions is { } sessions)
        {
            // The current minute's samples, which wait in memory until the minute is over.
            try
            {
                await sessions.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                MonitorLog.SamplingFailed(logger, target.Name, Redact(ex.Message.ReplaceLineEndings(" ")));
            }
        }

        await _lifeline.DisposeAsync().ConfigureAwait(false);
        _lifetime.Dispose();
    }

    /// <summary>This target as the history remembers it.</summary>
    public StoredTarget Stored() => new(
        target.Name,
        target.Masked,
        target.Slo,
        _attempts.Source,
        options.PollInterval,
        target.SessionHistory ? target.SampleInterval(options.PollInterval) : null,
        time.GetUtcNow());

    private string Redact(string text) =>
        target.Connection.Password is { Length: > 0 } password ? text.Replace(password, "***", StringComparison.Ordinal) : text;

    private static IncidentBody Incident(Snapshot? snapshot, ProbeResult? failure) =>
        snapshot is null
            ? new IncidentBody(null, [], [], [], failure is null ? "no snapshot" : $"the lifeline could not read the server: {failure.Reason}: {failure.Message}")
            : new IncidentBody(
                snapshot.TakenAt,
                snapshot.Sessions.Where(s => s.IsClientBackend).Select(s => SessionView.From(s, snapshot.TakenAt)).ToList(),
                ChainView.From(snapshot),
                snapshot.Sessions.SelectMany(s => s.BlockedBy.Select(b => new EdgeView(s.Pid, b))).ToList(),
                null);

    private async Task<IReadOnlyList<AppPool>?> ReadPoolsAsync(CancellationToken cancellationToken)
    {
        if (target.PoolEndpoints.Count == 0)
        {
            return null;
        }

        return await Task.WhenAll(target.PoolEndpoints.Select(e => PoolEndpointClient.ReadAsync(http, e, target.PoolToken, cancellationToken))).ConfigureAwait(false);
    }
}
