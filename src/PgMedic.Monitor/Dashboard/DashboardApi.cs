using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PgMedic.Monitor.Api;
using PgMedic.Monitor.Configuration;

namespace PgMedic.Monitor.Dashboard;

/// <summary>
/// The Database Health Dashboard at <c>/</c>: plain HTML and JavaScript over the JSON API, with Chart.js
/// (from npm, pinned by the committed lockfile) embedded in this assembly — served by the monitor itself, no CDN.
/// </summary>
internal static class DashboardApi
{
    private static readonly Assembly Assembly = typeof(DashboardApi).Assembly;

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Resource("index.html"));
        app.MapGet("/dashboard/{file}", (string file) => Resource(file));
        app.MapGet("/api/dashboard", (MonitorOptions options, Polling.MonitorState state) => TypedResults.Ok(new DashboardConfigView(
            options.PollInterval.TotalMilliseconds,
            options.Alerts.ConnectionSaturation.WarningPercent,
            options.Alerts.ConnectionSaturation.CriticalPercent,
            options.Alerts.DatabaseConnectionFailure.Ratio,
            options.Alerts.DatabaseConnectionFailure.Window.TotalSeconds,
            options.ReadOnly,
            state.All.Select(s => s.Target.Name).ToList())));
        return app;
    }

    private static IResult Resource(string file)
    {
        var stream = Assembly.GetManifestResourceStream("dashboard/" + file);
        if (stream is null)
        {
            return TypedResults.NotFound();
        }

        var type = Path.GetExtension(file) switch
        {
            ".html" => "text/html; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            ".svg" => "image/svg+xml",
            _ => "application/octet-stream",
        };
        return TypedResults.Stream(stream, type);
    }
}
