using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using PgMedic.Monitor.Polling;

namespace PgMedic.Monitor.Api;

/// <summary>
/// <c>GET /health</c>: the runbook's verification document — <c>{"status":"healthy","database":"connected"}</c>,
/// or 503 with <c>"database":"disconnected"</c> when any target refuses an application's fresh connection.
/// <c>GET /health/{target}</c> answers for one target. Never needs the access token.
/// </summary>
internal static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", (MonitorState state) => Answer(state.All));
        app.MapGet("/health/{target}", Results<JsonHttpResult<HealthView>, NotFound<Microsoft.AspNetCore.Mvc.ProblemDetails>> (string target, MonitorState state) =>
            state.Get(target) is { } status
                ? Answer([status])
                : TypedResults.NotFound(Problems.UnknownTarget(target)));
        return app;
    }

    private static JsonHttpResult<HealthView> Answer(IReadOnlyList<TargetStatus> statuses)
    {
        var targets = statuses.Select(s => new TargetHealthView(
            s.Target.Name,
            s.DatabaseConnected ? "healthy" : "unhealthy",
            s.DatabaseConnected ? "connected" : "disconnected",
            s.LifelineConnected)).ToList();
        var healthy = targets.Count > 0 && targets.All(t => t.Database == "connected");
        var view = new HealthView(healthy ? "healthy" : "unhealthy", healthy ? "connected" : "disconnected", targets);
        return TypedResults.Json(view, MonitorJsonContext.Default.HealthView, statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}

internal static class Problems
{
    public static Microsoft.AspNetCore.Mvc.ProblemDetails UnknownTarget(string target) => new()
    {
        Status = StatusCodes.Status404NotFound,
        Title = "unknown target",
        Detail = $"no target is named '{target}': GET /api/targets lists them",
    };

    public static Microsoft.AspNetCore.Mvc.ProblemDetails Of(int status, string title, string detail) => new() { Status = status, Title = title, Detail = detail };
}
