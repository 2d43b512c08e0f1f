using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PgMedic.Monitor.Polling;

namespace PgMedic.Monitor.Metrics;

/// <summary>
/// <c>GET /metrics</c>: the catalogue's series for every target this instance polls, written from each target's
/// latest poll at the moment of the scrape. Written here rather than by OpenTelemetry's Prometheus exporter,
/// whose listener gathers every meter of the same name in the process and merges their series: two monitors in
/// one process (the test suite's) each answered with the other's values for a target of the same name, and
/// disposing one silenced the other's counters.
/// </summary>
internal static class MetricsApi
{
    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/metrics", (MonitorState state) => TypedResults.Text(PrometheusText.Render(state.Owned), PrometheusText.ContentType));
        return app;
    }
}
