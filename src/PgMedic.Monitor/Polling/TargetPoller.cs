using Microsoft.Extensions.Logging;
using PgMedic.Core.Alerts;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Probing;
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

    public Lifeline Lifeline => _lifeline;

    /// <summary>Takes up the alerts that were pending or firing when the monitor last stopped.</summary>
    public async Task RestoreAsync(CancellationToken cancellationToken)
    {
        var active = await store.ActiveAlertsAsync(target.Name, cancellationToken).ConfigureAwait(false);
        _engine = new AlertEngine(active);
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
        var transitions = _engine.Apply(AlertSignals.Evaluate(target.Name, _history, target.Alerts, options.PollInterval), at, target.Name, AlertSignals.IsStale(_history));
        var notifications = transitions
            .Where(t => t.State is AlertState.Firing or AlertState.Resolved)
            .SelectMany(t => options.Webhooks.Select(w => (t, w.Name, composer.Compose(w, target, t))))
            .ToList();
        await store.RecordPollAsync(target.Name, sample, transitions, _engine.Active, _ => Incident(snapshot, lifelineFailure), notifications, cancellationToken).ConfigureAwait(false);
        foreach (var t in transitions.Where(t => t.State != AlertState.Pending))
        {
            MonitorLog.AlertChanged(logger, HistoryNames.StateName(t.State), target.Name, t.Key.Rule, HistoryNames.SeverityName(t.Severity), t.Key.Subject, t.Summary);
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
        });
        if (notifications.Count > 0)
        {
            outbox.Wake();
        }
    }

    public ValueTask DisposeAsync() => _lifeline.DisposeAsync();

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
