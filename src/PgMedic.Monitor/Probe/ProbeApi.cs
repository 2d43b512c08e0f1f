using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PgMedic.Core.Secrets;
using PgMedic.Monitor.Api;
using PgMedic.Monitor.Metrics;
using PgMedic.Monitor.Polling;

namespace PgMedic.Monitor.Probe;

/// <summary>
/// <c>GET /probe?target=NAME</c>: Prometheus' multi-target pattern (as postgres_exporter's and
/// blackbox_exporter's <c>/probe</c>). Each scrape runs one poll of that target over its lifeline — single-flight:
/// a scrape that arrives while a poll of the same target runs gets that poll's result — and answers the
/// target's <c>pgmedic_*</c> series in Prometheus text, the same metrics as <c>/metrics</c>. Same access rule
/// as <c>/metrics</c> (the bearer token when one is set). docs/commands/serve.md shows the scrape config.
/// </summary>
internal static class ProbeApi
{
    public static IEndpointRouteBuilder MapProbeApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/probe", ScrapeAsync);
        return app;
    }

    private static async Task<IResult> ScrapeAsync(string? target, MonitorState state, PollingService polling, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(target))
        {
            return TypedResults.Problem(Problems.Of(StatusCodes.Status400BadRequest, "target missing", "scrape /probe?target=NAME with one of the monitor's target names (GET /api/targets lists them)"));
        }

        if (state.Get(target) is null)
        {
            return TypedResults.Problem(Problems.UnknownTarget(target));
        }

        if (!polling.Pollers.TryGetValue(target, out var poller))
        {
            return TypedResults.Problem(Problems.OtherShard(target, state.Options.Shard));
        }

        TargetStatus status;
        try
        {
            status = await poller.PollAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return TypedResults.Problem(Problems.Of(StatusCodes.Status503ServiceUnavailable, "target no longer watched", $"'{target}' was removed or redefined while it was scraped: scrape it again"));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var message = SecretText.Scrub(ex.Message.ReplaceLineEndings(" "));
            if (poller.Target.Connection.Password is { Length: > 0 } password)
            {
                message = message.Replace(password, "***", StringComparison.Ordinal);
            }

            return TypedResults.Problem(Problems.Of(StatusCodes.Status503ServiceUnavailable, "the poll failed", message));
        }

        return TypedResults.Text(PrometheusText.Render(status), PrometheusText.ContentType);
    }
}
