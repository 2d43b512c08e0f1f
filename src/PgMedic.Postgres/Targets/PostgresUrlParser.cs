using PgMedic.Shared;

namespace PgMedic.Postgres.Targets;

/// <summary>
/// Parses <c>postgres://user:password@host:port/dbname?param=value</c> the way libpq does, with one
/// deliberate difference: the credentials end at the last '@' before the path, so a password
/// with an unencoded '@' still works, and any '@' after that is refused, because it means
/// part of a password (one holding an unencoded '/') would otherwise be taken for a host or
/// database name and printed.
/// </summary>
internal static class PostgresUrlParser
{
    private static readonly string[] Schemes = ["postgres://", "postgresql://"];

    public static bool HasPostgresScheme(string text) =>
        Schemes.Any(scheme => text.StartsWith(scheme, StringComparison.OrdinalIgnoreCase));

    public static TargetFields Parse(string url)
    {
        UrlUserInfo.TrySplit(url, out _, out var userInfo, out var rest);
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0 && rest.IndexOf('@', slash) >= 0)
        {
            throw new TargetException("the URL has an '@' after the host; percent-encode '@' as %40 and '/' as %2F in the user name, password and database name");
        }

        var fields = userInfo is null ? new TargetFields() : ParseUserInfo(userInfo, new TargetFields());
        var authorityEnd = rest.IndexOfAny(['/', '?']);
        fields = ParseHostSpec(authorityEnd < 0 ? rest : rest[..authorityEnd], fields, hasUserInfo: userInfo is not null);
        var remainder = authorityEnd < 0 ? string.Empty : rest[authorityEnd..];

        var query = string.Empty;
        if (remainder.StartsWith('/'))
        {
            var questionMark = remainder.IndexOf('?', StringComparison.Ordinal);
            var path = questionMark < 0 ? remainder[1..] : remainder[1..questionMark];
            query = questionMark < 0 ? string.Empty : remainder[(questionMark + 1)..];
            if (path.Length > 0)
            {
                fields = fields with { Database = PercentDecoder.Decode(path, "URL database name", secret: false) };
            }
        }
        else if (remainder.StartsWith('?'))
        {
            query = remainder[1..];
        }

        return ParseQuery(query, fields);
    }

    private static TargetFields ParseUserInfo(string userInfo, TargetFields fields)
    {
        var (user, password) = UrlUserInfo.Split(userInfo);
        if (user.Length > 0)
        {
            fields = fields with { User = PercentDecoder.Decode(user, "URL user name", secret: false) };
        }

        if (password is { Length: > 0 })
        {
            fields = fields with { Password = PercentDecoder.Decode(password, "URL password", secret: true) };
        }

        return fields;
    }

    private static TargetFields ParseHostSpec(string hostSpec, TargetFields fields, bool hasUserInfo)
    {
        // Without an '@', "user:password" in front of the path is read as "host:port", so the
        // host part must not be echoed: it may be a password (postgres://app:s3cret/shop).
        var mayHoldPassword = !hasUserInfo && !hostSpec.StartsWith('[') && hostSpec.Contains(':', StringComparison.Ordinal);
        string Show(string fragment) => mayHoldPassword ? "(not shown)" : MessageText.Quote(fragment);

        if (hostSpec.Contains(',', StringComparison.Ordinal))
        {
            throw new TargetException($"the URL lists several hosts {Show(hostSpec)}; {TargetValues.MultiHostAdvice}");
        }

        string host;
        var port = string.Empty;
        if (hostSpec.StartsWith('['))
        {
            var close = hostSpec.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new TargetException($"the URL host {Show(hostSpec)} opens '[' but never closes it; write an IPv6 address as [::1] or [::1]:5432");
            }

            host = PercentDecoder.Decode(hostSpec[1..close], "URL host", secret: mayHoldPassword);
            if (!TargetValues.IsIPv6(host))
            {
                throw new TargetException($"the URL host {Show(hostSpec[..(close + 1)])} is not an IPv6 address; brackets are only for IPv6 addresses such as [::1]");
            }

            var after = hostSpec[(close + 1)..];
            if (after.Length > 0 && after[0] != ':')
            {
                throw new TargetException($"the URL host has {Show(after)} after ']'; write [address] or [address]:port");
            }

            port = after.Length > 0 ? after[1..] : string.Empty;
        }
        else
        {
            if (hostSpec.Contains(']', StringComparison.Ordinal))
            {
                throw new TargetException($"the URL host {Show(hostSpec)} has ']' without '['; write an IPv6 address as [::1]");
            }

            var colons = hostSpec.Count(c => c == ':');
            if (colons > 1)
            {
                throw new TargetException($"the URL host {Show(hostSpec)} looks like an IPv6 address without brackets; write it as [::1] or [::1]:5432");
            }

            var colon = hostSpec.IndexOf(':', StringComparison.Ordinal);
            host = PercentDecoder.Decode(colon < 0 ? hostSpec : hostSpec[..colon], "URL host", secret: false);
            port = colon < 0 ? string.Empty : hostSpec[(colon + 1)..];
        }

        if (host.Length > 0)
        {
            fields = fields with { Host = TargetValues.Host(host, "URL host") };
        }

        if (mayHoldPassword && !TargetValues.IsValidPort(port))
        {
            throw new TargetException($"the URL port for host {MessageText.Quote(host)} is not a number from 1 to 65535 (not shown: without an '@' it may be a password); write postgres://user:password@host:port/db");
        }

        return fields with { Port = TargetValues.Port(port, "URL port") };
    }

    private static TargetFields ParseQuery(string query, TargetFields fields)
    {
        foreach (var parameter in query.Split('&'))
        {
            if (parameter.Length == 0)
            {
                continue;
            }

            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                // Not quoted: a mistyped password=... would be shown.
                throw new TargetException("a URL parameter has no '='; write name=value pairs after '?', separated by '&'");
            }

            var name = PercentDecoder.Decode(parameter[..equals], "URL parameter name", secret: false);
            var value = PercentDecoder.Decode(parameter[(equals + 1)..], $"value of URL parameter {MessageText.Quote(name)}", secret: name == "password");
            fields = LibpqKeywords.Apply(fields, name, value, "URL parameter");
        }

        return fields;
    }
}
