using System.Globalization;
using System.Text;
using Npgsql;

namespace PgMedic.Postgres.Targets;

/// <summary>
/// One PostgreSQL server and login, however the user named it. The password is held here so that
/// connections can be opened, and is never part of any text this type produces.
/// </summary>
public sealed record ConnectionTarget
{
    public const int DefaultPort = 5432;

    /// <summary>Host name, IP address, or a Unix-socket directory (starts with '/').</summary>
    public string Host { get; init; } = "localhost";

    public int Port { get; init; } = DefaultPort;

    public string? Database { get; init; }

    public string? User { get; init; }

    public string? Password { get; init; }

    /// <summary>libpq sslmode: disable, allow, prefer, require, verify-ca, verify-full.</summary>
    public string? SslMode { get; init; }

    public TimeSpan? ConnectTimeout { get; init; }

    public string? ApplicationName { get; init; }

    /// <summary>Where the target came from: argument, DATABASE_URL or the libpq variables.</summary>
    public TargetSource Source { get; init; } = TargetSource.Argument;

    /// <summary>True when the password was read from a password file rather than given.</summary>
    public bool PasswordFromFile { get; init; }

    public string EffectiveDatabase => Database ?? User ?? "postgres";

    /// <summary>The display form used in every output: <c>postgres://app:***@db:5432/shop</c>.</summary>
    public string Masked
    {
        get
        {
            var builder = new StringBuilder("postgres://");
            if (User is not null)
            {
                builder.Append(Uri.EscapeDataString(User));
                if (Password is not null)
                {
                    builder.Append(":***");
                }

                builder.Append('@');
            }

            builder.Append(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Uri.EscapeDataString(Host).Replace("%2F", "/", StringComparison.Ordinal));
            builder.Append(':').Append(Port.ToString(CultureInfo.InvariantCulture));
            if (Database is not null)
            {
                builder.Append('/').Append(Uri.EscapeDataString(Database));
            }

            return builder.ToString();
        }
    }

    /// <summary>The unmasked URL, for the one place that must print it (the sandbox banner).</summary>
    public string ToUrl()
    {
        var masked = Masked;
        return Password is null ? masked : masked.Replace(":***@", ":" + Uri.EscapeDataString(Password) + "@", StringComparison.Ordinal);
    }

    /// <summary>
    /// An Npgsql connection string for this target. PgMedic's own connections are unpooled unless
    /// the caller asks otherwise, so that a diagnosis never leaves idle connections behind.
    /// </summary>
    public string ToNpgsqlConnectionString(string? applicationName = null, TimeSpan? timeout = null, bool pooling = false)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = Port,
            Database = EffectiveDatabase,
            Pooling = pooling,
            ApplicationName = applicationName ?? ApplicationName ?? "pgmedic",
        };
        if (User is not null)
        {
            builder.Username = User;
        }

        if (Password is not null)
        {
            builder.Password = Password;
        }
        else
        {
            // Password resolution is PgMedic's alone (it refuses a password file libpq would refuse, and says why);
            // left to itself Npgsql would read PGPASSFILE or ~/.pgpass again, unchecked.
            builder.Passfile = OperatingSystem.IsWindows() ? "NUL" : "/dev/null";
        }

        if (SslMode is not null)
        {
            builder.SslMode = ParseSslMode(SslMode);
        }

        var effectiveTimeout = timeout ?? ConnectTimeout;
        if (effectiveTimeout is { } t)
        {
            builder.Timeout = Math.Max(1, (int)Math.Ceiling(t.TotalSeconds));
        }

        return builder.ConnectionString;
    }

    /// <summary>Same target, another database (the password stays).</summary>
    public ConnectionTarget WithDatabase(string database) => this with { Database = database };

    public override string ToString() => Masked;

    internal static SslMode ParseSslMode(string value) => value.ToLowerInvariant() switch
    {
        "disable" => Npgsql.SslMode.Disable,
        "allow" => Npgsql.SslMode.Allow,
        "prefer" => Npgsql.SslMode.Prefer,
        "require" => Npgsql.SslMode.Require,
        "verify-ca" => Npgsql.SslMode.VerifyCA,
        "verify-full" => Npgsql.SslMode.VerifyFull,
        _ => throw new TargetException($"sslmode '{value}' is not one of disable, allow, prefer, require, verify-ca, verify-full"),
    };
}

public enum TargetSource
{
    Argument,
    DatabaseUrl,
    LibpqEnvironment,
}

/// <summary>A target could not be understood. The message is one line, names what is wrong and never holds a password.</summary>
public sealed class TargetException : Exception
{
    public TargetException(string message)
        : base(message)
    {
    }

    public TargetException()
    {
    }

    public TargetException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
