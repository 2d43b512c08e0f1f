namespace PgMedic.Postgres.Targets;

/// <summary>
/// The libpq environment variables. As in libpq, each one fills only a field the target left
/// out, and a variable is checked only when it is used: a stray PGPORT does not break a target
/// that names its own port.
/// </summary>
internal static class LibpqEnvironment
{
    public static readonly string[] Variables =
        ["PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSSLMODE", "PGCONNECT_TIMEOUT", "PGAPPNAME", "PGPASSFILE"];

    public static TargetFields FillGaps(TargetFields fields, Func<string, string?> environment)
    {
        // Empty variables count as unset: `export PGHOST=` usually means "forget it".
        string? Read(string name) => environment(name) is { Length: > 0 } value ? value : null;

        return fields with
        {
            Host = fields.Host ?? (Read("PGHOST") is { } host ? TargetValues.Host(host, "PGHOST") : null),
            Port = fields.Port ?? (Read("PGPORT") is { } port ? TargetValues.Port(port, "PGPORT") : null),
            User = fields.User ?? Read("PGUSER"),
            Password = fields.Password ?? Read("PGPASSWORD"),
            Database = fields.Database ?? Read("PGDATABASE"),
            SslMode = fields.SslMode ?? (Read("PGSSLMODE") is { } sslMode ? TargetValues.SslMode(sslMode, "PGSSLMODE") : null),
            ConnectTimeout = fields.ConnectTimeout ?? (Read("PGCONNECT_TIMEOUT") is { } timeout ? TargetValues.ConnectTimeout(timeout, "PGCONNECT_TIMEOUT") : null),
            ApplicationName = fields.ApplicationName ?? Read("PGAPPNAME"),
            PasswordFile = fields.PasswordFile ?? Read("PGPASSFILE"),
        };
    }
}
