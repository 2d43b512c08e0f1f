using System.Globalization;
using System.Text;
using Npgsql;
using PgMedic.Shared;

namespace PgMedic.Guard.Configuration;

/// <summary>
/// <c>DATABASE_URL</c> as platforms give it (<c>postgres://user:pass@host:5432/db?sslmode=require</c>)
/// or an Npgsql connection string, turned into an Npgsql connection string.
/// </summary>
internal static class DatabaseUrl
{
    private const string Allowed = "use postgres://user:password@host:port/database (query: sslmode, application_name) or an Npgsql connection string";

    public static bool TryToConnectionString(string value, out string connectionString, out string problem)
    {
        connectionString = string.Empty;
        problem = string.Empty;
        try
        {
            var builder = IsUrl(value) ? FromUrl(value) : new NpgsqlConnectionStringBuilder(value);
            if (string.IsNullOrEmpty(builder.Host))
            {
                problem = "it names no host; " + Allowed;
                return false;
            }

            connectionString = builder.ConnectionString;
            return true;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException or KeyNotFoundException)
        {
            // The parser's own message may quote the value, password included: say what is allowed instead.
            problem = Allowed;
            return false;
        }
    }

    /// <summary>The value with any password replaced by <c>***</c>, for error messages (URLs: the query only as <c>?…</c>).</summary>
    public static string Mask(string value)
    {
        if (IsUrl(value))
        {
            return UrlUserInfo.Mask(value);
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(value);
            if (builder.Password is not null)
            {
                builder.Password = "***";
            }

            return builder.ConnectionString;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
        {
            return "(not shown: it could not be read and may hold a password)";
        }
    }

    private static bool IsUrl(string value) =>
        value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase);

    private static NpgsqlConnectionStringBuilder FromUrl(string value)
    {
        // Credentials are split off as PgMedic.Postgres reads them (last '@' before the path), so a
        // password with an unencoded '@' works; System.Uri then reads host, port, path and query.
        UrlUserInfo.TrySplit(value, out var scheme, out var userInfo, out var rest);
        var uri = new Uri($"{scheme}://{rest}");
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host.Trim('[', ']'),
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
        };
        if (userInfo is not null)
        {
            var (user, password) = UrlUserInfo.Split(userInfo);
            builder.Username = Uri.UnescapeDataString(user);
            if (password is not null)
            {
                builder.Password = Uri.UnescapeDataString(password);
            }
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, text) = pair.IndexOf('=', StringComparison.Ordinal) is var i and >= 0
                ? (Uri.UnescapeDataString(pair[..i]), Uri.UnescapeDataString(pair[(i + 1)..]))
                : (Uri.UnescapeDataString(pair), string.Empty);
            switch (key)
            {
                case "sslmode":
                    builder.SslMode = SslModeFrom(text);
                    break;
                case "application_name":
                    builder.ApplicationName = text;
                    break;
                default:
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"query parameter {Sanitize(key)} is not supported"));
            }
        }

        return builder;
    }

    private static SslMode SslModeFrom(string text) => text.ToLowerInvariant() switch
    {
        "disable" => SslMode.Disable,
        "allow" => SslMode.Allow,
        "prefer" => SslMode.Prefer,
        "require" => SslMode.Require,
        "verify-ca" => SslMode.VerifyCA,
        "verify-full" => SslMode.VerifyFull,
        _ => throw new ArgumentException("sslmode must be disable, allow, prefer, require, verify-ca or verify-full"),
    };

    private static string Sanitize(string key)
    {
        var text = new StringBuilder(key.Length);
        foreach (var c in key.Where(char.IsAsciiLetterOrDigit))
        {
            text.Append(c);
        }

        return text.ToString();
    }
}
