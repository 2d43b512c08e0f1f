using System.Diagnostics.Metrics;
using PgMedic.Core.Alerts;
using PgMedic.Core.Common;
using PgMedic.Core.Diagnosis;
using PgMedic.Monitor.History;
using PgMedic.Monitor.Polling;

namespace PgMedic.Monitor.Metrics;

/// <summary>
/// Every <c>pgmedic_*</c> metric, defined once: <see cref="PrometheusText"/> writes each for
/// <c>/metrics</c> and <c>/probe</c>, and <see cref="MonitorMetrics"/> registers each as an OpenTelemetry
/// instrument for OTLP. A metric added here shows in all three.
/// </summary>
internal static class MetricCatalogue
{
    public static readonly IReadOnlyList<MetricDefinition> All =
    [
        new MetricDefinition<int>("pgmedic.connections", MetricKind.Gauge, null,
            "Client backends by state; the monitor's lifeline counts as active, and hidden counts sessions whose type and state the monitor's role cannot see",
            s => s.Sample?.Collected == true ? s.Sample.ByState.Select(kv => Point(kv.Value, s, ("state", kv.Key))) : []),
        new MetricDefinition<int>("pgmedic.connections_by_application", MetricKind.Gauge, null,
            "Client backends by application_name",
            s => s.Sample?.Collected == true ? s.Sample.ByApplication.Select(a => Point(a.Total, s, ("application", a.Application))) : []),
        new MetricDefinition<int>("pgmedic.idle_connections_by_application", MetricKind.Gauge, null,
            "Idle client backends by application_name (what the leak-growth rule watches)",
            s => s.Sample?.Collected == true ? s.Sample.ByApplication.Select(a => Point(a.Idle, s, ("application", a.Application))) : []),
        new MetricDefinition<int>("pgmedic.client_backends", MetricKind.Gauge, null,
            "Client backends in use, the monitor's lifeline included; the most there can be when the monitor's role cannot see every session's type",
            s => Collected(s, x => x.ClientBackends)),
        new MetricDefinition<int>("pgmedic.client_backends_min", MetricKind.Gauge, null,
            "The fewest client backends there can be: below pgmedic_client_backends only when the monitor's role cannot see other roles' session types (grant pg_monitor)",
            s => Seen(s, u => u.ClientBackendsMin)),
        new MetricDefinition<int>("pgmedic.usable_slots", MetricKind.Gauge, null,
            "max_connections - superuser_reserved_connections - reserved_connections",
            s => Collected(s, x => x.UsableSlots)),
        new MetricDefinition<int>("pgmedic.max_connections", MetricKind.Gauge, null,
            "The server's max_connections",
            s => Collected(s, x => x.MaxConnections)),
        new MetricDefinition<double>("pgmedic.connections_used_percent", MetricKind.Gauge, null,
            "Client backends as a percentage of usable slots (of pgmedic_client_backends)",
            s => s.Sample?.Collected == true ? [Point(s.Sample.PercentUsed, s)] : []),
        new MetricDefinition<double>("pgmedic.connections_used_percent_min", MetricKind.Gauge, null,
            "pgmedic_client_backends_min as a percentage of usable slots",
            s => Seen(s, u => u.PercentOfUsableMin)),
        new MetricDefinition<int>("pgmedic.probe_success", MetricKind.Gauge, null,
            "1 when the latest fresh connection (as an application makes it) and SELECT 1 succeeded",
            s => s.Sample is { } x ? [Point(x.ProbeSucceeded ? 1 : 0, s)] : []),
        new MetricDefinition<double>("pgmedic.probe_latency", MetricKind.Gauge, "s",
            "Time to connect and run SELECT 1 on the latest fresh connection",
            s => s.Sample?.ProbeLatencyMilliseconds is { } ms ? [Point(ms / 1000, s)] : []),
        new MetricDefinition<long>("pgmedic.probe_attempts", MetricKind.Counter, null,
            "Fresh connection attempts since the monitor started",
            s => s.ProbeAttempts > 0 ? [Point(s.ProbeAttempts, s)] : []),
        new MetricDefinition<long>("pgmedic.probe_failures", MetricKind.Counter, null,
            "Fresh connection attempts that failed since the monitor started",
            s => s.ProbeAttempts > 0 ? [Point(s.ProbeFailures, s)] : []),
        new MetricDefinition<long>("pgmedic.app_checkouts", MetricKind.Counter, null,
            "Checkout attempts the service counted since its process started (handed out + timed out + failed to connect), per process and pool, from its /health/pool",
            s => Processes(s, i => i.Attempts)),
        new MetricDefinition<long>("pgmedic.app_checkout_failures", MetricKind.Counter, null,
            "Checkouts that timed out or could not connect, as the service counted them since its process started, per process and pool",
            s => Processes(s, i => i.Failures)),
        new MetricDefinition<int>("pgmedic.app_pool_endpoint_up", MetricKind.Gauge, null,
            "1 when the service's /health/pool answered the latest poll",
            s => (s.Sample?.PoolEndpoints ?? []).Select(e => Point(e.Error is null ? 1 : 0, s, ("endpoint", e.Endpoint)))),
        new MetricDefinition<double>("pgmedic.connection_failure_ratio", MetricKind.Gauge, null,
            "Failed connections as a share of attempts over the database-connection-failure window, per signal: the monitor's probe, and the services' own checkouts when pool endpoints are listed",
            Ratios),
        new MetricDefinition<int>("pgmedic.lifeline_connected", MetricKind.Gauge, null,
            "1 while the monitor's long-lived connection is open",
            s => s.PolledAt is null ? [] : [Point(s.LifelineConnected ? 1 : 0, s)]),
        new MetricDefinition<long>("pgmedic.slo_attempts", MetricKind.Counter, null,
            "The availability objective's connection attempts since the monitor started: the services' checkouts when pool endpoints are listed, else the monitor's probes",
            s => s.PolledAt is null ? [] : [Point(s.SloAttempts, s)]),
        new MetricDefinition<long>("pgmedic.slo_failures", MetricKind.Counter, null,
            "The availability objective's failed attempts since the monitor started (checkouts timed out or failed to connect, or failed probes)",
            s => s.PolledAt is null ? [] : [Point(s.SloFailures, s)]),
        new MetricDefinition<double>("pgmedic.slo_objective_ratio", MetricKind.Gauge, null,
            "The target's availability objective as a ratio (0.999 for 99.9 %): the exported burn-rate rules read their error budget from it",
            s => [Point(s.Target.Slo.ObjectivePercent / 100, s)]),
        new MetricDefinition<double>("pgmedic.slo_availability_ratio", MetricKind.Gauge, null,
            "Good attempts as a share of all over the objective's window (restored from history after a restart)",
            s => s.Slo?.AvailabilityPercent is { } a ? [Point(a / 100, s)] : []),
        new MetricDefinition<double>("pgmedic.slo_error_budget_remaining_ratio", MetricKind.Gauge, null,
            "The share of the objective's error budget left over its window: 1 untouched, 0 spent, below 0 overspent",
            s => s.Slo is { } slo ? [Point(slo.BudgetRemainingRatio, s)] : []),
        new MetricDefinition<double>("pgmedic.slo_coverage_ratio", MetricKind.Gauge, null,
            "The share of the objective's window the monitor observed (unobserved time counts neither good nor bad)",
            s => s.Slo is { } slo ? [Point(slo.CoverageRatio, s)] : []),
        new MetricDefinition<double>("pgmedic.slo_burn_rate", MetricKind.Gauge, null,
            "The error budget's burn rate over each window of the burn-rate alerts (1 spends it exactly over the objective's window)",
            BurnRates),
        new MetricDefinition<int>("pgmedic.alerts_firing", MetricKind.Gauge, null,
            "Alerts firing now",
            s => s.Alerts.Where(a => a.State == AlertState.Firing)
                .GroupBy(a => (a.Key.Rule, a.Key.Severity))
                .Select(g => Point(g.Count(), s, ("alert", g.Key.Rule), ("severity", HistoryNames.SeverityName(g.Key.Severity))))),
        new MetricDefinition<double>("pgmedic.poll_duration", MetricKind.Gauge, "s",
            "How long the latest poll took: snapshot, fresh connection, pool endpoints, alert rules and the history write",
            s => s.Timing is { } t ? [Point(t.Duration.TotalSeconds, s)] : []),
        new MetricDefinition<double>("pgmedic.poll_lag", MetricKind.Gauge, "s",
            "How late the latest scheduled poll started against its schedule (targets polled every pollInterval; none for targets polled when scraped)",
            s => s.Timing?.Lag is { } lag ? [Point(lag.TotalSeconds, s)] : []),
        new MetricDefinition<double>("pgmedic.history_write_duration", MetricKind.Gauge, "s",
            "How long the latest poll's history write (one transaction) took",
            s => s.Timing is { } t ? [Point(t.HistoryWrite.TotalSeconds, s)] : []),
    ];

    private static Measurement<T> Point<T>(T value, TargetStatus s, params (string Name, string Value)[] labels)
        where T : struct
    {
        var tags = new KeyValuePair<string, object?>[labels.Length + 1];
        tags[0] = new("target", s.Target.Name);
        for (var i = 0; i < labels.Length; i++)
        {
            tags[i + 1] = new(labels[i].Name, labels[i].Value);
        }

        return new Measurement<T>(value, tags);
    }

    private static IEnumerable<Measurement<int>> Collected(TargetStatus s, Func<MonitorSample, int> value) =>
        s.Sample is { Collected: true } x ? [Point(value(x), s)] : [];

    private static IEnumerable<Measurement<T>> Seen<T>(TargetStatus s, Func<Usage, T> value)
        where T : struct =>
        s.Sample is { Collected: true } && s.Report?.Usage is { } usage ? [Point(value(usage), s)] : [];

    /// <summary>Each service process's counter as its latest document said; a process two endpoints report is counted once.</summary>
    private static IEnumerable<Measurement<long>> Processes(TargetStatus s, Func<PoolInstance, long> value) =>
        (s.Sample?.PoolEndpoints ?? []).SelectMany(e => e.Instances)
            .DistinctBy(i => (i.Process, i.Pool))
            .Select(i => Point(value(i), s, ("process", i.Process), ("pool", i.Pool ?? string.Empty)));

    /// <summary>The burn rate over each window the burn-rate alerts read (their long and short windows), once per window.</summary>
    private static IEnumerable<Measurement<double>> BurnRates(TargetStatus s) =>
        (s.Slo?.BurnRates ?? [])
            .SelectMany(b => new[]
            {
                (Window: TimeSpan.FromSeconds(b.LongWindowSeconds), Rate: b.LongBurnRate),
                (Window: TimeSpan.FromSeconds(b.ShortWindowSeconds), Rate: b.ShortBurnRate),
            })
            .Select(w => (Label: Duration.Format(w.Window), w.Rate))
            .DistinctBy(w => w.Label)
            .Select(w => Point(w.Rate, s, ("window", w.Label)));

    /// <summary>Only ratios measured: no probe yet, or no checkout by the services in the window, is no sample.</summary>
    private static IEnumerable<Measurement<double>> Ratios(TargetStatus s)
    {
        if (s.Failures is not { } m)
        {
            yield break;
        }

        if (m.ProbeAttempts > 0)
        {
            yield return Point(m.ProbeRatio, s, ("signal", HistoryNames.SignalName(FailureSignal.Probe)!));
        }

        if (m.Application?.Ratio is { } ratio)
        {
            yield return Point(ratio, s, ("signal", HistoryNames.SignalName(FailureSignal.Application)!));
        }
    }
}
