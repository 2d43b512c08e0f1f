using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PgMedic.Guard;
using PgMedic.Guard.AspNetCore.Endpoints;
using PgMedic.Guard.Health;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps PgMedic.Guard's HTTP endpoints: <c>/health</c> and <c>/health/pool</c>.</summary>
public static class GuardEndpoints
{
    /// <summary>This process as the pool document names it: pid, host and the library that wrote it.</summary>
    private static readonly ProcessBody Process = new(
        Environment.ProcessId,
        Environment.MachineName,
        "PgMedic.Guard " + (typeof(GuardedDataSource).Assembly.GetName().Version?.ToString(3) ?? "?"));

    /// <summary>
    /// Maps <c>GET /health</c> (200 <c>{"status":"healthy","database":"connected"}</c>, 503 when the
    /// database cannot be reached or in maintenance mode) and, when enabled, <c>GET /health/pool</c>
    /// (statistics and holders; local requests or a token only). Needs a registered <see cref="GuardedDataSource"/>.
    /// </summary>
    public static IEndpointRouteBuilder MapPgMedicGuard(this IEndpointRouteBuilder endpoints, Action<GuardEndpointOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = new GuardEndpointOptions();
        configure?.Invoke(options);
        endpoints.MapGet(options.HealthPath, context => WriteHealthAsync(context, options));
        endpoints.MapGet(options.PoolPath, context => WritePoolAsync(context, options));
        return endpoints;
    }

    private static async Task WriteHealthAsync(HttpContext context, GuardEndpointOptions options)
    {
        var guard = context.RequestServices.GetRequiredService<GuardedDataSource>();
        var report = await guard.CheckHealthAsync(options.HealthTimeout, context.RequestAborted).ConfigureAwait(false);
        var status = report.Status switch
        {
            GuardHealthStatus.Healthy => "healthy",
            GuardHealthStatus.Maintenance => "maintenance",
            _ => "unhealthy",
        };
        context.Response.StatusCode = report.IsHealthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsJsonAsync(new HealthBody(status, report.Database, report.Error), GuardJsonContext.Default.HealthBody, cancellationToken: context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WritePoolAsync(HttpContext context, GuardEndpointOptions options)
    {
        if (!options.EnablePoolEndpoint)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        context.Response.Headers.CacheControl = "no-store";
        if (!IsAllowed(context, options))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsJsonAsync(
                new ErrorBody("the pool endpoint answers local requests or requests with the configured bearer token only"),
                GuardJsonContext.Default.ErrorBody,
                cancellationToken: context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var guard = context.RequestServices.GetRequiredService<GuardedDataSource>();
        var s = guard.Statistics;
        var holders = guard.Holders.Select(h => new HolderBody(
            h.Id,
            h.BackendPid,
            new CallSiteBody(h.CallSite.File, h.CallSite.Line, h.CallSite.Member),
            h.CheckedOutAt,
            Math.Round(h.Age.TotalSeconds, 3),
            h.Leaked,
            options.IncludeStackTraces ? h.StackTrace : null)).ToList();
        var body = new PoolBody(
            new PoolStatisticsBody(s.Name, s.PoolSize, s.MaxOverflow, s.MaxConnections, s.CheckedOut, s.Overflow, s.Idle, s.Waiting, s.Timeouts, s.Leaks, s.Checkouts, s.PrePingReplacements, s.ConnectFailures, s.Maintenance),
            guard.LeakThreshold.TotalSeconds,
            holders,
            Process);
        await context.Response.WriteAsJsonAsync(body, GuardJsonContext.Default.PoolBody, cancellationToken: context.RequestAborted).ConfigureAwait(false);
    }

    private static bool IsAllowed(HttpContext context, GuardEndpointOptions options)
    {
        if (options.PoolToken is { Length: > 0 } token
            && context.Request.Headers.Authorization.ToString() is { } header
            && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()), Encoding.UTF8.GetBytes(token)))
        {
            return true;
        }

        var forwarded = context.Request.Headers.ContainsKey("X-Forwarded-For") || context.Request.Headers.ContainsKey("Forwarded");
        return options.AllowLocalRequests
            && !forwarded
            && context.Connection.RemoteIpAddress is { } remote
            && IPAddress.IsLoopback(remote);
    }
}
