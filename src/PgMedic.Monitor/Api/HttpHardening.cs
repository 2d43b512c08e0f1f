using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using PgMedic.Monitor.Configuration;

namespace PgMedic.Monitor.Api;

/// <summary>
/// What every answer of <c>serve</c> carries whatever the endpoint: the <c>Host</c> header checked against
/// the names the monitor answers to (a DNS-rebinding page in a browser cannot read the API), headers
/// that keep the dashboard out of frames and scripts to its own origin, small request bodies,
/// ProblemDetails on every error, and a rate limit on actions.
/// </summary>
internal static class HttpHardening
{
    public const string ActionsPolicy = "actions";

    /// <summary>Requests larger than this are refused with 413: the API takes a few hundred bytes at most.</summary>
    public const long MaxRequestBodyBytes = 64 * 1024;

    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public static IServiceCollection AddHttpHardening(this IServiceCollection services, MonitorOptions options) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = ((int)options.ActionRateWindow.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await TypedResults.Problem(
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "too many actions",
                    detail: $"at most {options.ActionRateLimit} actions per {Core.Common.Duration.Format(options.ActionRateWindow)}; try again later").ExecuteAsync(context.HttpContext).ConfigureAwait(false);
            };
            limiter.AddFixedWindowLimiter(ActionsPolicy, window =>
            {
                window.PermitLimit = options.ActionRateLimit;
                window.Window = options.ActionRateWindow;
                window.QueueLimit = 0;
            });
        });

    public static WebApplication UseHttpHardening(this WebApplication app, MonitorOptions options)
    {
        var allowed = AllowedHosts(options);
        app.UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = _ => StatusCodes.Status500InternalServerError });
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers["Referrer-Policy"] = "no-referrer";
            headers.CacheControl = "no-store";
            if (!allowed.Contains(context.Request.Host.Host))
            {
                await TypedResults.Problem(
                    statusCode: StatusCodes.Status421MisdirectedRequest,
                    title: "unexpected Host header",
                    detail: "this monitor answers only to loopback names, its listen address (on 0.0.0.0: this machine's names and addresses) and the names in its 'allowedHosts' setting").ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        });
        app.UseStatusCodePages();
        app.UseRateLimiter();
        return app;
    }

    /// <summary>
    /// The names a request may be addressed to: loopback names, the listen address and the configured
    /// ones. Bound to every interface (0.0.0.0, ::) with no names configured, the machine's own names and
    /// interface addresses stand in for the listen address: a DNS-rebinding page, whose name resolves to
    /// this machine, still sends its own name and is refused.
    /// </summary>
    internal static HashSet<string> AllowedHosts(MonitorOptions options)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "localhost", "127.0.0.1", "[::1]", "::1" };
        if (options.IsWildcard)
        {
            if (options.AllowedHosts.Count == 0)
            {
                names.UnionWith(MachineNames.Current());
            }
        }
        else
        {
            names.Add(HostForm(options.Listen));
        }

        names.UnionWith(options.AllowedHosts);
        return names;
    }

    /// <summary>An address as the <c>Host</c> header carries it: IPv6 in brackets.</summary>
    internal static string HostForm(string address) =>
        IPAddress.TryParse(address, out var parsed) && parsed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address;
}
