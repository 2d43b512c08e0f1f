using System.Data.Common;
using System.Globalization;
using Npgsql;

namespace PgMedic.Postgres.Targets;

/// <summary>
/// Parses an Npgsql connection string (<c>Host=db;Username=app;Password=x</c>) with Npgsql's own
/// builder, so every spelling Npgsql accepts (Server, User Id, PWD…) works. Npgsql's exception
/// messages are never passed on: ours name the keyword and never the value.
/// </summary>
internal static class NpgsqlStringParser
{
    // Canonical names, as NpgsqlConnectionStringBuilder writes them back out.
    private static readonly string[] Understood = ["Host", "Port", "Database", "Username", "Password", "SSL Mode", "Timeout", "Application Name", "Passfile"];

    public static bool IsKnownKeyword(string keyword) => new NpgsqlConnectionStringBuilder().ContainsKey(keyword);

    public static TargetFields Parse(string text, ICollection<string> warnings)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(text);
        }
        catch (ArgumentException e)
        {
            throw Translate(e, HasPassword(text));
        }
        catch (KeyNotFoundException)
        {
            // Npgsql's builder throws this for some keyword shapes (a key of whitespace and '='): found by the property tests.
            throw new TargetException("the Npgsql connection string is malformed; write Key=Value pairs separated by ';', and wrap values containing ';' or quotes in double quotes");
        }

        // The builder's properties cannot tell "Port=5432" from no port at all, but its
        // ConnectionString holds only what was set, and only that should stop PGPORT filling in.
        var given = new DbConnectionStringBuilder { ConnectionString = builder.ConnectionString };
        var fields = new TargetFields
        {
            Port = given.ContainsKey("Port") ? TargetValues.Port(builder.Port.ToString(CultureInfo.InvariantCulture), "Port") : null,
            Database = given.ContainsKey("Database") ? builder.Database : null,
            User = given.ContainsKey("Username") ? builder.Username : null,
            Password = given.ContainsKey("Password") ? builder.Password : null,
            SslMode = given.ContainsKey("SSL Mode") ? SslModeName(builder.SslMode) : null,
            ConnectTimeout = given.ContainsKey("Timeout") ? TimeSpan.FromSeconds(builder.Timeout) : null,
            ApplicationName = given.ContainsKey("Application Name") ? builder.ApplicationName : null,
            PasswordFile = given.ContainsKey("Passfile") ? builder.Passfile : null,
        };
        if (given.ContainsKey("Host") && builder.Host is { } host)
        {
            fields = WithHost(fields, host);
        }

        var ignored = given.Keys.Cast<string>()
            .Where(key => !Understood.Contains(key, StringComparer.OrdinalIgnoreCase))
            .ToList();
        if (ignored.Count > 0)
        {
            warnings.Add($"ignored Npgsql settings that pgmedic does not use: {string.Join(", ", ignored)}");
        }

        return fields;
    }

    /// <summary>Npgsql allows "db:5433" and "[::1]:5433" in Host, and the port there wins over Port.</summary>
    private static TargetFields WithHost(TargetFields fields, string host)
    {
        if (host.Contains(',', StringComparison.Ordinal))
        {
            throw new TargetException($"Host {MessageText.Quote(host)} lists several hosts; {TargetValues.MultiHostAdvice}");
        }

        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']', StringComparison.Ordinal);
            var address = close < 0 ? string.Empty : host[1..close];
            var after = close < 0 ? string.Empty : host[(close + 1)..];
            if (close < 0 || !TargetValues.IsIPv6(address) || (after.Length > 0 && after[0] != ':'))
            {
                throw new TargetException($"Host {MessageText.Quote(host)} is not a valid [IPv6 address] or [IPv6 address]:port");
            }

            return WithPort(fields with { Host = address }, after.Length > 0 ? after[1..] : string.Empty);
        }

        var colon = host.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0 && host.IndexOf(':', colon + 1) < 0 && host[0] != '/')
        {
            return WithPort(fields with { Host = TargetValues.Host(host[..colon], "Host") }, host[(colon + 1)..]);
        }

        return fields with { Host = TargetValues.Host(host, "Host") };
    }

    private static TargetFields WithPort(TargetFields fields, string port) =>
        port.Length == 0 ? fields : fields with { Port = TargetValues.Port(port, "Host port") };

    private static string SslModeName(SslMode mode) => mode switch
    {
        SslMode.Disable => "disable",
        SslMode.Allow => "allow",
        SslMode.Prefer => "prefer",
        SslMode.Require => "require",
        SslMode.VerifyCA => "verify-ca",
        SslMode.VerifyFull => "verify-full",
        _ => throw new TargetException($"SSL Mode {MessageText.Quote(mode.ToString())} is not supported; use Disable, Allow, Prefer, Require, VerifyCA or VerifyFull"),
    };

    private static bool HasPassword(string text) =>
        text.Split(';').Any(pair => pair.Split('=', 2)[0].Trim() is var key && (key.Equals("Password", StringComparison.OrdinalIgnoreCase) || key.Equals("PWD", StringComparison.OrdinalIgnoreCase)));

    private static TargetException Translate(ArgumentException e, bool hasPassword)
    {
        var keyword = e.ParamName;
        if (e.InnerException is null || keyword is null)
        {
            return new TargetException("the Npgsql connection string is malformed; write Key=Value pairs separated by ';', and wrap values containing ';' or quotes in double quotes");
        }

        // A keyword holding ';' or a quote is the tail of a value that was split in the wrong
        // place (often a password with an unquoted ';'), so it is not shown.
        // With a password in the string, an unknown keyword may be the tail of that password
        // (Password=ab;cd=ef): never show it.
        if (keyword.IndexOfAny([';', '"', '\'']) >= 0 || (hasPassword && e.InnerException is KeyNotFoundException))
        {
            return new TargetException("the Npgsql connection string has an unknown keyword that looks like part of a value; wrap values containing ';' in double quotes: Password=\"a;b\"");
        }

        if (e.InnerException is KeyNotFoundException)
        {
            return new TargetException($"unknown Npgsql connection string keyword {MessageText.Quote(keyword)}; use Host, Port, Database, Username, Password, SSL Mode, Timeout, Application Name or another Npgsql keyword");
        }

        var advice = keyword.ToLowerInvariant().Replace(" ", string.Empty, StringComparison.Ordinal) switch
        {
            "port" => "give a port from 1 to 65535",
            "sslmode" => "use Disable, Allow, Prefer, Require, VerifyCA or VerifyFull",
            "timeout" => $"give whole seconds from 0 to {TargetValues.MaxConnectTimeoutSeconds}",
            _ => "see the Npgsql connection string documentation",
        };
        return new TargetException($"Npgsql setting {MessageText.Quote(keyword)} has an invalid value; {advice}");
    }
}
