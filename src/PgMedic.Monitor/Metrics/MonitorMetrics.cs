using System.Diagnostics.Metrics;
using PgMedic.Monitor.Polling;

namespace PgMedic.Monitor.Metrics;

/// <summary>
/// The monitor's metrics as OpenTelemetry instruments, pushed over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
/// is set: read from each target's latest poll at each export, for the targets this instance polls. The
/// definitions are <see cref="MetricCatalogue"/>'s, which <c>/metrics</c> and <c>/probe</c> write as
/// Prometheus text (<see cref="MetricsApi"/>).
/// </summary>
internal sealed class MonitorMetrics
{
    public const string MeterName = "PgMedic.Monitor";

    public MonitorMetrics(IMeterFactory meters, MonitorState state)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(state);
        var meter = meters.Create(MeterName);
        foreach (var metric in MetricCatalogue.All)
        {
            metric.Register(meter, () => state.Owned);
        }
    }
}
