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
/// the same <c>/health/pool</c> documents; everything it learns goes to SQLite in one transaction.
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
    private AlertEngine _engine = new();
    private readonly Lifeline _lifeline = new(
        target,
        options.Timeout,
        options.PollInterval < TimeSpan.FromSeconds(1) ? options.PollInterval : TimeSpan.FromSeconds(1),
        TimeSpan.FromSeconds(30),
        time,
        logger);

    private readonly SloLedger _slo = new(target.Slo.Window);
    private readonly SloAttemptCounter _attempts = new(target.PoolEndpoints.Count, options.PollInterval);
    private SessionSampler? _sessions;

    public Lifeline Lifeline => _lifeline;

    /// <summary>This target's active session history; null when it is off.</summary>
    public SessionSampler? Sessions => _sessions ??= target.SessionHistory ? new SessionSampler(target, options, store, _lifeline, time, logger) : null;

    /// <summary>The objective's attempts as counted so far (exact per poll for 6 hours, coarser beyond).</summary>
    public SloLedger Slo => _slo;

    public FailureSignal SloSource => _attempts.Source;

    /// <summary>Takes up the alerts that were pending or firing when the monitor last stopped.</summary>
    public async Task RestoreAsync(CancellationToken cancellationToken)
    {
        var active = await store.ActiveAlertsAsync(target.Name, cancellationToken).ConfigureAwait(false);
        _engine = new AlertEngine(active);
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

        if (state.Get(target.Name) is { PolledAt: null })
        {
            state.Set(TargetStatus.Initial(target, active));
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        MonitorLog.Watching(logger, target.Name, target.Masked, options.PollInterval.TotalMilliseconds);
        using var timer = new PeriodicTimer(options.PollInterval, time);
        do
        {
            try
            {
                await PollOnceAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                MonitorLog.PollFailed(logger, target.Name, Redact(ex.Message.ReplaceLineEndings(" ")));
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    public async Task PollOnceAsync(CancellationToken cancellationToken)
    {
        var at = time.GetUtcNow();
        var reading = ReadPoolsAsync(cancellationToken);
        var (snapshot, lifelineFailure) = await _lifeline.CollectAsync(cancellationToken).ConfigureAwait(false);

        // After the snapshot, so the probe's own backend is never counted in it.
        var probe = await Prober.ProbeAsync(target.Connection, options.Timeout, cancellationToken).ConfigureAwait(false);
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
        var transitions = _engine.Apply(signals, at, target.Name, AlertSignals.IsStale(_history));
        var notifications = transitions
            .Where(t => t.State is AlertState.Firing or AlertState.Resolved)
            .SelectMany(t => options.Webhooks.Select(w => (t, w.Name, composer.Compose(w, target, t))))
            .ToList();
        await store.RecordPollAsync(target.Name, sample, attempts, transitions, _engine.Active, _ => Incident(snapshot, lifelineFailure), notifications, cancellationToken).ConfigureAwait(false);
        foreach (var t in transitions.Where(t => t.State != AlertState.Pending))
        {
            MonitorLog.AlertChanged(logger, HistoryNames.StateName(t.State), target.Name, t.Key.Rule, HistoryNames.SeverityName(t.Severity), t.Key.Subject, t.Summary);
        }

        if (snapshot is not null && Sessions is { FromPolls: true } sessions)
        {
            await sessions.AddAsync(at, snapshot.TakenAt, snapshot.Sessions, cancellationToken).ConfigureAwait(false);
        }

        var previous = state.Get(target.Name);
        state.Set(new TargetStatus(
            target,
            at,
            sample,
            report,
            snapshot,
            probe,
            _lifeline.IsConnected,
            _engine.Active.ToList(),
            (previous?.ProbeAttempts ?? 0) + 1,
            (previous?.ProbeFailures ?? 0) + (succeeded ? 0 : 1))
        {
            Failures = failures,
            FreshAt = snapshot is not null ? at : previous?.FreshAt,
            Slo = slo,
            SloAttempts = (previous?.SloAttempts ?? 0) + attempts.Counts.Attempts,
            SloFailures = (previous?.SloFailures ?? 0) + attempts.Counts.Bad,
        });

        if (notifications.Count > 0)
        {
            outbox.Wake();
        }
    }

    public ValueTask DisposeAsync() => _lifeline.DisposeAsync();

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
