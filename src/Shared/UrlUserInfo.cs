namespace PgMedic.Shared;

/// <summary>
/// The credentials part of a URL (<c>scheme://user:password@host…</c>), read one way everywhere:
/// compiled into PgMedic.Postgres (targets, pool endpoints, webhooks) and PgMedic.Guard (DATABASE_URL),
/// which ships without PgMedic's own projects. The credentials end at the last '@' before the path, so
/// a password holding an unencoded '@' still works; user and password stay percent-encoded here.
/// </summary>
internal static class UrlUserInfo
{
    /// <summary>
    /// The parts of <c>scheme://[userinfo@]rest</c>; false when the text has no <c>://</c>. The userinfo
    /// is null when there is no '@' before the path; the rest is host, port, path and query.
    /// </summary>
    public static bool TrySplit(string url, out string scheme, out string? userInfo, out string rest)
    {
        ArgumentNullException.ThrowIfNull(url);
        scheme = string.Empty;
        userInfo = null;
        rest = string.Empty;
        var separator = url.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0)
        {
            return false;
        }

        scheme = url[..separator];
        rest = url[(separator + 3)..];
        var pathStart = rest.IndexOf('/', StringComparison.Ordinal);
        var at = (pathStart < 0 ? rest : rest[..pathStart]).LastIndexOf('@');
        if (at >= 0)
        {
            userInfo = rest[..at];
            rest = rest[(at + 1)..];
        }

        return true;
    }

    /// <summary>User and password of a userinfo, still percent-encoded; the password is null when there is no ':'.</summary>
    public static (string User, string? Password) Split(string userInfo)
    {
        ArgumentNullException.ThrowIfNull(userInfo);
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (userInfo, null) : (userInfo[..colon], userInfo[(colon + 1)..]);
    }

    /// <summary>
    /// The URL as it may be shown: a password becomes <c>***</c>, and a query (where a password can also
    /// sit, <c>?password=…</c>) is shown only as <c>?…</c>. Text that is no URL is returned as it is.
    /// </summary>
    public static string Mask(string url)
    {
        if (!TrySplit(url, out var scheme, out var userInfo, out var rest))
        {
            return url;
        }

        var query = rest.IndexOf('?', StringComparison.Ordinal);
        var shown = query < 0 ? rest : rest[..query] + "?…";
        if (userInfo is null)
        {
            return $"{scheme}://{shown}";
        }

        var (user, password) = Split(userInfo);
        return password is null ? $"{scheme}://{user}@{shown}" : $"{scheme}://{user}:***@{shown}";
    }
}
