using System.Diagnostics.Metrics;
using PgMedic.Monitor.Polling;

namespace PgMedic.Monitor.Metrics;

/// <summary>
/// The monitor's metrics, read from each target's latest poll when scraped: exported by OpenTelemetry
/// as Prometheus text at <c>/metrics</c> (names <c>pgmedic_*</c>) and over OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set — the targets this instance polls. The definitions are
/// <see cref="MetricCatalogue"/>'s, which <c>/probe</c> renders too; the exported Prometheus rules are
/// written over these names.
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
