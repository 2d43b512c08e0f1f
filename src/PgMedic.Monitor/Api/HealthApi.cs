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
        app.MapGet("/health", (MonitorState state) => Answer(state.Owned));
        app.MapGet("/health/{target}", Results<JsonHttpResult<HealthView>, NotFound<Microsoft.AspNetCore.Mvc.ProblemDetails>> (string target, MonitorState state) =>
            state.Get(target) is { } status && state.Owns(target)
                ? Answer([status])
                : TypedResults.NotFound(Problems.UnknownTarget(target)));
        return app;
    }

    private static string StaleDetail(TargetStatus status) =>
        status.FreshAt is { } fresh
            ? $"no snapshot since {fresh.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}: the lifeline cannot read the server; alerts hold their state"
            : "no snapshot yet: the lifeline cannot read the server; alerts hold their state";

    private static JsonHttpResult<HealthView> Answer(IReadOnlyList<TargetStatus> statuses)
    {
        var targets = statuses.Select(s => new TargetHealthView(
            s.Target.Name,
            !s.DatabaseConnected ? "unhealthy" : s.Stale ? "stale" : "healthy",
            s.DatabaseConnected ? "connected" : "disconnected",
            s.LifelineConnected,
            s.Stale ? StaleDetail(s) : null)).ToList();
        var connected = targets.Count > 0 && targets.All(t => t.Database == "connected");

        // A fresh connection works but the monitor cannot see the sessions: not "healthy", and not a 503 either —
        // what the runbook's health check asks (can the application connect) is still answered yes.
        var status = !connected ? "unhealthy" : targets.Any(t => t.Status == "stale") ? "stale" : "healthy";
        var view = new HealthView(status, connected ? "connected" : "disconnected", targets);
        return TypedResults.Json(view, MonitorJsonContext.Dialect.HealthView, statusCode: connected ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
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

    /// <summary>A target another shard polls: which one, and where it answers when the peers' address is configured.</summary>
    public static Microsoft.AspNetCore.Mvc.ProblemDetails OtherShard(string target, Shards.ShardOptions shard)
    {
        var owner = shard.OwnerOf(target);
        var url = shard.UrlOf(owner);
        var problem = Of(
            StatusCodes.Status409Conflict,
            "target of another shard",
            $"'{target}' is polled by shard {owner}/{shard.Count}{(url is null ? string.Empty : $" ({url})")}, not by this instance (shard {shard}): ask that one");
        problem.Extensions["ownerShard"] = owner;
        problem.Extensions["ownerUrl"] = url?.ToString();
        return problem;
    }
}
