using System.Globalization;
using Npgsql;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Probing;
using PgMedic.Core.Snapshots;
using PgMedic.Postgres.Collection;
using PgMedic.Postgres.Probing;
using PgMedic.Postgres.Targets;

namespace PgMedic.Demo;

/// <summary>
/// Watches the sandbox the way the monitor does, at a demo's pace: a lifeline connection that takes a
/// snapshot every tick, a fresh connection each tick to measure connection failures, and the runbook's
/// alerts — saturation at 80 % and 90 % of usable slots, connection failures over 10 % of a window,
/// idle in transaction, blocking chains — printed when they fire and when they resolve.
/// </summary>
internal sealed class DemoWatch(ConnectionTarget target, Narrator narrator, TimeProvider time) : IAsyncDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan FailureWindow = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, string> _firing = [];
    private readonly Queue<(DateTimeOffset At, bool Ok)> _probes = new();
    private readonly CancellationTokenSource _stop = new();
    private NpgsqlConnection? _lifeline;
    private Task _loop = Task.CompletedTask;
    private double _lastPercent = -1;

    public DateTimeOffset? FirstAlertAt { get; private set; }

    public Snapshot? Latest { get; private set; }

    public IReadOnlyCollection<string> Firing
    {
        get
        {
            lock (_firing)
            {
                return [.. _firing.Keys];
            }
        }
    }

    public void Start() => _loop = Task.Run(() => LoopAsync(_stop.Token));

    /// <summary>Waits until no alert is firing (or the time is up).</summary>
    public async Task<bool> WaitAllResolvedAsync(TimeSpan limit)
    {
        var started = time.GetTimestamp();
        while (time.GetElapsedTime(started) < limit)
        {
            if (Firing.Count == 0)
            {
                return true;
            }

            await Task.Delay(Tick, time);
        }

        return Firing.Count == 0;
    }

    public async Task<bool> WaitForAsync(string alert, TimeSpan limit)
    {
        var started = time.GetTimestamp();
        while (time.GetElapsedTime(started) < limit)
        {
            if (Firing.Contains(alert))
            {
                return true;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), time);
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        if (_lifeline is not null)
        {
            await _lifeline.DisposeAsync();
        }

        _stop.Dispose();
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ObserveAsync(cancellationToken);
                await Task.Delay(Tick, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ObserveAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var probe = await Prober.ProbeAsync(target, TimeSpan.FromSeconds(2), cancellationToken);
        _probes.Enqueue((now, probe.Outcome == ProbeOutcome.Accepting));
        while (_probes.Count > 0 && now - _probes.Peek().At > FailureWindow)
        {
            _probes.Dequeue();
        }

        var failureRate = _probes.Count(p => !p.Ok) * 100.0 / _probes.Count;
        Transition("database-connection-failure", failureRate > 10, $"connection failures {failureRate:0}% over the last {FailureWindow.TotalSeconds:0} s (fresh connections: {ProbeOutcomeName.Of(probe.Outcome)}{(probe.Reason is null ? string.Empty : " " + probe.Reason)})");

        var snapshot = await SnapshotAsync(cancellationToken);
        if (snapshot is null)
        {
            return;
        }

        Latest = snapshot;
        var usage = Usage.From(snapshot);
        if (Math.Abs(usage.PercentOfUsable - _lastPercent) >= 10 || (_lastPercent < 0))
        {
            _lastPercent = usage.PercentOfUsable;
            narrator.Say(string.Create(CultureInfo.InvariantCulture, $"usage {usage.ClientBackends}/{usage.UsableSlots} usable slots ({usage.PercentOfUsable:0} %): {string.Join(", ", usage.ByState.Select(kv => $"{kv.Key} {kv.Value}"))}"));
        }

        Transition("connection-saturation (warning, 80 %)", usage.PercentOfUsable >= 80, $"{usage.PercentOfUsable:0} % of usable slots in use ({usage.ClientBackends}/{usage.UsableSlots})");
        Transition("connection-saturation (critical, 90 %)", usage.PercentOfUsable >= 90, $"{usage.PercentOfUsable:0} % of usable slots in use ({usage.ClientBackends}/{usage.UsableSlots})");
        var idleInTransaction = snapshot.ClientBackends.Count(s => SessionStates.IsIdleInTransaction(s.State) && s.StateAge(snapshot.TakenAt) >= TimeSpan.FromSeconds(1));
        Transition("idle-in-transaction", idleInTransaction > 0, $"{idleInTransaction} session(s) idle in an open transaction for over 1s");
        var chains = LockGraph.Chains(snapshot.Sessions);
        Transition("blocking-chain", chains.Count > 0, chains.Count == 0 ? "no lock waits" : $"pid {chains[0].HeadPid} blocks {chains[0].WaiterPids.Count} session(s)");
    }

    private async Task<Snapshot?> SnapshotAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_lifeline is null)
            {
                (_lifeline, _) = await Prober.ConnectAsync(target, TimeSpan.FromSeconds(2), ConnectionSettings.Collector, cancellationToken);
            }

            return _lifeline is null ? null : await SnapshotCollector.CollectAsync(_lifeline, TimeSpan.FromSeconds(2), cancellationToken);
        }
        catch (NpgsqlException)
        {
            // The lifeline was lost (server down): reconnect on the next tick.
            if (_lifeline is not null)
            {
                await _lifeline.DisposeAsync();
                _lifeline = null;
            }

            return null;
        }
    }

    private void Transition(string alert, bool active, string detail)
    {
        lock (_firing)
        {
            if (active && !_firing.ContainsKey(alert))
            {
                _firing[alert] = detail;
                FirstAlertAt ??= time.GetUtcNow();
                narrator.Record("alert", $"ALERT firing: {alert} — {detail}");
            }
            else if (!active && _firing.Remove(alert))
            {
                narrator.Record("alert", $"ALERT resolved: {alert} — {detail}");
            }
        }
    }
}
