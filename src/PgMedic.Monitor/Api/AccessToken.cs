using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace PgMedic.Monitor.Api;

/// <summary>
/// With an access token configured, everything but <c>/health</c> needs <c>Authorization: Bearer …</c>.
/// A browser opens the dashboard once as <c>/?token=…</c>, which sets an HttpOnly, SameSite=Strict cookie
/// for reads; actions accept only the header. The cookie holds a value derived from the token (an HMAC),
/// never the token itself: a cookie read off a browser profile does not authorise actions, and the
/// token cannot be recovered from it.
/// </summary>
internal static class AccessToken
{
    public const string CookieName = "pgmedic_token";

    public static WebApplication UseAccessToken(this WebApplication app, string? token)
    {
        if (token is null)
        {
            return app;
        }

        var session = SessionValue(token);

        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (path.Equals("/health", StringComparison.Ordinal) || path.StartsWithSegments("/health", StringComparison.Ordinal))
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            if (path == "/" && context.Request.Query["token"] is { Count: 1 } given && Matches(given.ToString(), token))
            {
                context.Response.Cookies.Append(CookieName, session, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = context.Request.IsHttps, Path = "/" });
                context.Response.Redirect("/");
                return;
            }

            if (HasBearer(context, token) || (HttpMethods.IsGet(context.Request.Method) && context.Request.Cookies.TryGetValue(CookieName, out var cookie) && Matches(cookie, session)))
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            context.Response.Headers.WWWAuthenticate = "Bearer";
            await TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "access token required",
                detail: "send 'Authorization: Bearer <accessToken>' (or open the dashboard once as /?token=<accessToken>)").ExecuteAsync(context).ConfigureAwait(false);
        });
        return app;
    }

    public static bool HasBearer(HttpContext context, string token)
    {
        ArgumentNullException.ThrowIfNull(context);
        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && Matches(header["Bearer ".Length..].Trim(), token);
    }

    /// <summary>The dashboard cookie's value: stable across restarts (a reload keeps working), useless as a bearer token.</summary>
    public static string SessionValue(string token) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(token), "pgmedic dashboard session"u8));

    private static bool Matches(string given, string token) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
