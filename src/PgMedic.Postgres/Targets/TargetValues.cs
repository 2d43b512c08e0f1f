using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PgMedic.Postgres.Targets;

/// <summary>
/// Checks the values every target form shares, so that a bad port reads the same whether it came
/// from a URL, a conninfo string or PGPORT. <c>label</c> is how the user wrote the field
/// ("port", "PGPORT"). None of these is ever given a password.
/// </summary>
internal static class TargetValues
{
    public const string MultiHostAdvice = "multi-host targets are not supported; name one server";

    /// <summary>Npgsql refuses a larger Timeout, so we say so now rather than when connecting.</summary>
    public const int MaxConnectTimeoutSeconds = 1024;

    private static readonly string[] SslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

    public static string Host(string value, string label)
    {
        if (value.Contains(',', StringComparison.Ordinal))
        {
            throw new TargetException($"{label} {MessageText.Quote(value)} lists several hosts; {MultiHostAdvice}");
        }

        if (value.Length == 0 || value[0] == '/')
        {
            return value;
        }

        if (value[0] == '[' || value[^1] == ']')
        {
            throw new TargetException($"{label} {MessageText.Quote(value)} has brackets; brackets belong only in URLs, write the IPv6 address bare");
        }

        if (value.Contains(':', StringComparison.Ordinal) && !IsIPv6(value))
        {
            throw new TargetException($"{label} {MessageText.Quote(value)} contains ':' but is not an IPv6 address; give the port separately");
        }

        return value;
    }

    /// <summary>True for "" (no port given) and for 1 to 65535 written in digits.</summary>
    public static bool IsValidPort(string value) =>
        value.Length == 0 ||
        (value.All(char.IsAsciiDigit) && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535);

    public static int? Port(string value, string label)
    {
        if (value.Length == 0)
        {
            return null;
        }

        if (value.Contains(',', StringComparison.Ordinal))
        {
            throw new TargetException($"{label} {MessageText.Quote(value)} lists several ports; {MultiHostAdvice}");
        }

        if (!value.All(char.IsAsciiDigit))
        {
            throw new TargetException($"{label} {MessageText.Quote(value)} is not a number; give a port from 1 to 65535 (PostgreSQL's default is 5432)");
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new TargetException($"{label} {MessageText.Quote(value)} is out of range; give a port from 1 to 65535 (PostgreSQL's default is 5432)");
        }

        return port;
    }

    /// <summary>libpq is case-sensitive here; we accept any case because nothing else could be meant.</summary>
    public static string? SslMode(string value, string label)
    {
        if (value.Length == 0)
        {
            return null;
        }

        var normalised = value.ToLowerInvariant();
        if (!SslModes.Contains(normalised))
        {
            throw new TargetException($"{label} {MessageText.Quote(value)} is not a valid sslmode; use one of {string.Join(", ", SslModes)}");
        }

        return normalised;
    }

    public static TimeSpan? ConnectTimeout(string value, string label)
    {
        if (value.Length == 0)
        {
            return null;
        }

        if (!value.All(char.IsAsciiDigit))
        {
            throw new TargetException($"{label} {MessageText.Quote(value)} is not a whole number of seconds; give e.g. 10 (0 waits indefinitely)");
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > MaxConnectTimeoutSeconds)
        {
            throw new TargetException($"{label} {MessageText.Quote(value)} is too large; give at most {MaxConnectTimeoutSeconds} seconds");
        }

        return TimeSpan.FromSeconds(seconds);
    }

    public static bool IsIPv6(string value) =>
        IPAddress.TryParse(value, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6;
}
