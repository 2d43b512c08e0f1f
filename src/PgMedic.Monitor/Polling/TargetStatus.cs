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

    /// <summary>How the latest poll ran: its duration, how late it started, its history write.</summary>
    public PollTiming? Timing { get; init; }

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

/// <param name="Lag">How late a scheduled poll started against its schedule; null for a poll a scrape asked for.</param>
internal sealed record PollTiming(TimeSpan Duration, TimeSpan? Lag, TimeSpan HistoryWrite);
