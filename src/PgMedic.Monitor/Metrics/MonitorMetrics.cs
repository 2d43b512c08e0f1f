using System.Diagnostics.Metrics;
using PgMedic.Core.Alerts;
using PgMedic.Core.Diagnosis;
using PgMedic.Monitor.History;
using PgMedic.Monitor.Polling;

namespace PgMedic.Monitor.Metrics;

/// <summary>
/// The monitor's metrics, read from each target's latest poll when scraped: exported by OpenTelemetry
/// as Prometheus text at <c>/metrics</c> (names <c>pgmedic_*</c>) and over OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. The exported Prometheus rules are written over these names.
/// </summary>
internal sealed class MonitorMetrics
{
    public const string MeterName = "PgMedic.Monitor";

    public MonitorMetrics(IMeterFactory meters, MonitorState state)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("pgmedic.connections", () => Each<int>(state, s => s.Sample?.Collected == true
            ? s.Sample.ByState.Select(kv => new Measurement<int>(kv.Value, Tag("target", s.Target.Name), Tag("state", kv.Key)))
            : []), description: "Client backends by state; the monitor's lifeline counts as active, and hidden counts sessions whose type and state the monitor's role cannot see");
        meter.CreateObservableGauge("pgmedic.connections_by_application", () => Each<int>(state, s => s.Sample?.Collected == true
            ? s.Sample.ByApplication.Select(a => new Measurement<int>(a.Total, Tag("target", s.Target.Name), Tag("application", a.Application)))
            : []), description: "Client backends by application_name");
        meter.CreateObservableGauge("pgmedic.idle_connections_by_application", () => Each<int>(state, s => s.Sample?.Collected == true
            ? s.Sample.ByApplication.Select(a => new Measurement<int>(a.Idle, Tag("target", s.Target.Name), Tag("application", a.Application)))
            : []), description: "Idle client backends by application_name (what the leak-growth rule watches)");
        meter.CreateObservableGauge("pgmedic.client_backends", () => Each<int>(state, s => Collected(s, x => x.ClientBackends)), description: "Client backends in use, the monitor's lifeline included; the most there can be when the monitor's role cannot see every session's type");
        meter.CreateObservableGauge("pgmedic.client_backends_min", () => Each<int>(state, s => Seen(s, u => u.ClientBackendsMin)), description: "The fewest client backends there can be: below pgmedic_client_backends only when the monitor's role cannot see other roles' session types (grant pg_monitor)");
        meter.CreateObservableGauge("pgmedic.usable_slots", () => Each<int>(state, s => Collected(s, x => x.UsableSlots)), description: "max_connections - superuser_reserved_connections - reserved_connections");
        meter.CreateObservableGauge("pgmedic.max_connections", () => Each<int>(state, s => Collected(s, x => x.MaxConnections)), description: "The server's max_connections");
        meter.CreateObservableGauge("pgmedic.connections_used_percent", () => Each<double>(state, s => s.Sample?.Collected == true
            ? [new Measurement<double>(s.Sample.PercentUsed, Tag("target", s.Target.Name))]
            : []), description: "Client backends as a percentage of usable slots (of pgmedic_client_backends)");
        meter.CreateObservableGauge("pgmedic.connections_used_percent_min", () => Each<double>(state, s => Seen(s, u => u.PercentOfUsableMin)), description: "pgmedic_client_backends_min as a percentage of usable slots");
        meter.CreateObservableGauge("pgmedic.probe_success", () => Each<int>(state, s => s.Sample is { } x
            ? [new Measurement<int>(x.ProbeSucceeded ? 1 : 0, Tag("target", s.Target.Name))]
            : []), description: "1 when the latest fresh connection (as an application makes it) and SELECT 1 succeeded");
        meter.CreateObservableGauge("pgmedic.probe_latency", () => Each<double>(state, s => s.Sample?.ProbeLatencyMilliseconds is { } ms
            ? [new Measurement<double>(ms / 1000, Tag("target", s.Target.Name))]
            : []), unit: "s", description: "Time to connect and run SELECT 1 on the latest fresh connection");
        meter.CreateObservableCounter("pgmedic.probe_attempts", () => Each<long>(state, s => s.ProbeAttempts > 0
            ? [new Measurement<long>(s.ProbeAttempts, Tag("target", s.Target.Name))]
            : []), description: "Fresh connection attempts since the monitor started");
        meter.CreateObservableCounter("pgmedic.probe_failures", () => Each<long>(state, s => s.ProbeAttempts > 0
            ? [new Measurement<long>(s.ProbeFailures, Tag("target", s.Target.Name))]
            : []), description: "Fresh connection attempts that failed since the monitor started");
        meter.CreateObservableCounter("pgmedic.app_checkouts", () => Each<long>(state, s => Processes(s, i => i.Attempts)),
            description: "Checkout attempts the service counted since its process started (handed out + timed out + failed to connect), per process and pool, from its /health/pool");
        meter.CreateObservableCounter("pgmedic.app_checkout_failures", () => Each<long>(state, s => Processes(s, i => i.Failures)),
            description: "Checkouts that timed out or could not connect, as the service counted them since its process started, per process and pool");
        meter.CreateObservableGauge("pgmedic.app_pool_endpoint_up", () => Each<int>(state, s => (s.Sample?.PoolEndpoints ?? [])
            .Select(e => new Measurement<int>(e.Error is null ? 1 : 0, Tag("target", s.Target.Name), Tag("endpoint", e.Endpoint)))), description: "1 when the service's /health/pool answered the latest poll");
        meter.CreateObservableGauge("pgmedic.connection_failure_ratio", () => Each<double>(state, Ratios), description: "Failed connections as a share of attempts over the database-connection-failure window, per signal: the monitor's probe, and the services' own checkouts when pool endpoints are listed");
        meter.CreateObservableGauge("pgmedic.lifeline_connected", () => Each<int>(state, s => s.PolledAt is null
            ? []
            : [new Measurement<int>(s.LifelineConnected ? 1 : 0, Tag("target", s.Target.Name))]), description: "1 while the monitor's long-lived connection is open");
        meter.CreateObservableCounter("pgmedic.slo_attempts", () => Each<long>(state, s => s.PolledAt is null
            ? []
            : [new Measurement<long>(s.SloAttempts, Tag("target", s.Target.Name))]), description: "The availability objective's connection attempts since the monitor started: the services' checkouts when pool endpoints are listed, else the monitor's probes");
        meter.CreateObservableCounter("pgmedic.slo_failures", () => Each<long>(state, s => s.PolledAt is null
            ? []
            : [new Measurement<long>(s.SloFailures, Tag("target", s.Target.Name))]), description: "The availability objective's failed attempts since the monitor started (checkouts timed out or failed to connect, or failed probes)");
        meter.CreateObservableGauge("pgmedic.slo_objective_ratio", () => Each<double>(state, s => [new Measurement<double>(s.Target.Slo.ObjectivePercent / 100, Tag("target", s.Target.Name))]),
            description: "The target's availability objective as a ratio (0.999 for 99.9 %): the exported burn-rate rules read their error budget from it");
        meter.CreateObservableGauge("pgmedic.slo_availability_ratio", () => Each<double>(state, s => s.Slo?.AvailabilityPercent is { } a
            ? [new Measurement<double>(a / 100, Tag("target", s.Target.Name))]
            : []), description: "Good attempts as a share of all over the objective's window (restored from history after a restart)");
        meter.CreateObservableGauge("pgmedic.slo_error_budget_remaining_ratio", () => Each<double>(state, s => s.Slo is { } slo
            ? [new Measurement<double>(slo.BudgetRemainingRatio, Tag("target", s.Target.Name))]
            : []), description: "The share of the objective's error budget left over its window: 1 untouched, 0 spent, below 0 overspent");
        meter.CreateObservableGauge("pgmedic.slo_coverage_ratio", () => Each<double>(state, s => s.Slo is { } slo
            ? [new Measurement<double>(slo.CoverageRatio, Tag("target", s.Target.Name))]
            : []), description: "The share of the objective's window the monitor observed (unobserved time counts neither good nor bad)");
        meter.CreateObservableGauge("pgmedic.slo_burn_rate", () => Each<double>(state, s => (s.Slo?.BurnRates ?? [])
            .SelectMany(b => new[]
            {
                new Measurement<double>(b.LongBurnRate, Tag("target", s.Target.Name), Tag("window", Core.Common.Duration.Format(TimeSpan.FromSeconds(b.LongWindowSeconds)))),
                new Measurement<double>(b.ShortBurnRate, Tag("target", s.Target.Name), Tag("window", Core.Common.Duration.Format(TimeSpan.FromSeconds(b.ShortWindowSeconds)))),
            })
            .DistinctBy(m => m.Tags.ToArray()[1].Value)), description: "The error budget's burn rate over each window of the burn-rate alerts (1 spends it exactly over the objective's window)");
        meter.CreateObservableGauge("pgmedic.alerts_firing", () => Each<int>(state, s => s.Alerts.Where(a => a.State == AlertState.Firing)
            .GroupBy(a => (a.Key.Rule, a.Key.Severity))
            .Select(g => new Measurement<int>(g.Count(), Tag("target", s.Target.Name), Tag("alert", g.Key.Rule), Tag("severity", HistoryNames.SeverityName(g.Key.Severity))))), description: "Alerts firing now");
    }

    private static IEnumerable<Measurement<T>> Each<T>(MonitorState state, Func<TargetStatus, IEnumerable<Measurement<T>>> measure)
        where T : struct => state.All.SelectMany(measure).ToList();

    private static IEnumerable<Measurement<int>> Collected(TargetStatus s, Func<MonitorSample, int> value) =>
        s.Sample is { Collected: true } x ? [new Measurement<int>(value(x), Tag("target", s.Target.Name))] : [];

    private static IEnumerable<Measurement<T>> Seen<T>(TargetStatus s, Func<Usage, T> value)
        where T : struct =>
        s.Sample is { Collected: true } && s.Report?.Usage is { } usage ? [new Measurement<T>(value(usage), Tag("target", s.Target.Name))] : [];

    /// <summary>Each service process's counter as its latest document said; a process two endpoints report is counted once.</summary>
    private static IEnumerable<Measurement<long>> Processes(TargetStatus s, Func<PoolInstance, long> value) =>
        (s.Sample?.PoolEndpoints ?? []).SelectMany(e => e.Instances)
            .DistinctBy(i => (i.Process, i.Pool))
            .Select(i => new Measurement<long>(value(i), Tag("target", s.Target.Name), Tag("process", i.Process), Tag("pool", i.Pool ?? string.Empty)));

    /// <summary>Only ratios measured: no probe yet, or no checkout by the services in the window, is no sample.</summary>
    private static IEnumerable<Measurement<double>> Ratios(TargetStatus s)
    {
        if (s.Failures is not { } m)
        {
            yield break;
        }

        if (m.ProbeAttempts > 0)
        {
            yield return new Measurement<double>(m.ProbeRatio, Tag("target", s.Target.Name), Tag("signal", HistoryNames.SignalName(FailureSignal.Probe)));
        }

        if (m.Application?.Ratio is { } ratio)
        {
            yield return new Measurement<double>(ratio, Tag("target", s.Target.Name), Tag("signal", HistoryNames.SignalName(FailureSignal.Application)));
        }
    }

    private static KeyValuePair<string, object?> Tag(string name, object? value) => new(name, value);
}
