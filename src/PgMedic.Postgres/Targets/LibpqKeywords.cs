namespace PgMedic.Postgres.Targets;

/// <summary>
/// The libpq keywords PgMedic understands, shared by conninfo strings and URL query parameters
/// (libpq treats both the same way). Anything else is refused rather than silently dropped, so a
/// typo such as <c>sslmod=require</c> cannot quietly turn TLS off.
/// </summary>
internal static class LibpqKeywords
{
    public static readonly string[] All =
    [
        "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "sslmode", "connect_timeout", "application_name",
    ];

    public static bool IsKnown(string keyword) => All.Contains(keyword, StringComparer.Ordinal);

    /// <param name="kind">How the user wrote it, for the unknown-keyword message: "conninfo keyword" or "URL parameter".</param>
    public static TargetFields Apply(TargetFields fields, string keyword, string value, string kind) => keyword switch
    {
        "host" => fields with { Host = TargetValues.Host(value, "host") },
        "hostaddr" => fields with { HostAddress = HostAddress(value) },
        "port" => fields with { Port = TargetValues.Port(value, "port") },
        "dbname" => fields with { Database = value },
        "user" => fields with { User = value },
        "password" => fields with { Password = value },
        "passfile" => fields with { PasswordFile = value },
        "sslmode" => fields with { SslMode = TargetValues.SslMode(value, "sslmode") },
        "connect_timeout" => fields with { ConnectTimeout = TargetValues.ConnectTimeout(value, "connect_timeout") },
        "application_name" => fields with { ApplicationName = value },
        _ => throw Unknown(keyword, kind),
    };

    private static string HostAddress(string value)
    {
        if (value.Contains(',', StringComparison.Ordinal))
        {
            throw new TargetException($"hostaddr {MessageText.Quote(value)} lists several addresses; {TargetValues.MultiHostAdvice}");
        }

        if (value.Length > 0 && !System.Net.IPAddress.TryParse(value, out _))
        {
            throw new TargetException($"hostaddr {MessageText.Quote(value)} is not a numeric IP address; put host names in host=");
        }

        return value;
    }

    private static TargetException Unknown(string keyword, string kind)
    {
        var lower = keyword.ToLowerInvariant();
        var hint = IsKnown(lower) && lower != keyword
            ? $"keywords are lower case: write {lower}"
            : $"use one of {string.Join(", ", All)}";
        return new TargetException($"unknown {kind} {MessageText.Quote(keyword)}; {hint}");
    }
}
