using System.Collections.Concurrent;
using PgMedic.Core.Alerts;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Probing;
using PgMedic.Core.Slo;
using PgMedic.Core.Snapshots;
using PgMedic.Monitor.Configuration;

namespace PgMedic.Monitor.Polling;

/// <summary>What the monitor knows of one target after its latest poll.</summary>
internal sealed record TargetStatus(
    MonitoredTarget Target,
    DateTimeOffset? PolledAt,
    MonitorSample? Sample,
    DiagnosisReport? Report,
    Snapshot? Snapshot,
    ProbeResult? Probe,
    bool LifelineConnected,
    IReadOnlyList<ActiveAlert> Alerts,
    long ProbeAttempts,
    long ProbeFailures)
{
    /// <summary>Both signals of the failure rule over its window as of this poll (the probe's and the services').</summary>
    public FailureMeasurement? Failures { get; init; }

    public static TargetStatus Initial(MonitoredTarget target, IReadOnlyList<ActiveAlert> alerts) => new(target, null, null, null, null, null, false, alerts, 0, 0);

    /// <summary>The runbook's health: an application's fresh connection succeeds.</summary>
    public bool DatabaseConnected => Probe?.Outcome == ProbeOutcome.Accepting;

    /// <summary>Polled, but without a snapshot: sessions, findings and the alerts that read them are from an earlier poll.</summary>
    public bool Stale => PolledAt is not null && Snapshot is null;

    /// <summary>When the alerts' view was last fresh: the latest poll with a snapshot.</summary>
    public DateTimeOffset? FreshAt { get; init; }

    /// <summary>The availability objective as of this poll.</summary>
    public SloStatus? Slo { get; init; }

    /// <summary>The objective's attempts and failures counted since the monitor started (the Prometheus counters).</summary>
    public long SloAttempts { get; init; }

    public long SloFailures { get; init; }
}

/// <summary>The latest status of every target, shared by the pollers (writers) and the endpoints and metrics (readers).</summary>
internal sealed class MonitorState
{
    private readonly ConcurrentDictionary<string, TargetStatus> _targets = new(StringComparer.Ordinal);

    /// <summary>Every target unpolled and without alerts; the pollers restore the alerts of a previous run before their first poll.</summary>
    public MonitorState(MonitorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        foreach (var target in options.Targets)
        {
            _targets[target.Name] = TargetStatus.Initial(target, []);
        }
    }

    public MonitorOptions Options { get; }

    public IReadOnlyList<TargetStatus> All => Options.Targets.Select(t => _targets[t.Name]).ToList();

    public TargetStatus? Get(string name) => _targets.GetValueOrDefault(name);

    public void Set(TargetStatus status) => _targets[status.Target.Name] = status;
}
