namespace PgMedic.Postgres.Targets;

/// <summary>
/// Turns what the user typed (or nothing) into a <see cref="ConnectionTarget"/>:
/// positional TARGET (URL, conninfo or Npgsql string), else DATABASE_URL, else the libpq
/// variables; the password comes from PGPASSFILE or ~/.pgpass when none was given.
/// </summary>
public static class TargetResolver
{
    /// <param name="argument">The positional TARGET, or null.</param>
    /// <param name="environment">Reads an environment variable (tests pass a dictionary).</param>
    /// <param name="homeDirectory">Where ~/.pgpass lives; null to skip it.</param>
    /// <exception cref="TargetException">The input is malformed; the message says what and how to fix it.</exception>
    public static ConnectionTarget Resolve(string? argument, Func<string, string?> environment, string? homeDirectory) =>
        ResolveWithWarnings(argument, environment, homeDirectory).Target;

    /// <summary>
    /// As <see cref="Resolve"/>, and also returns what the user should be told, such as a password
    /// file ignored for its permissions. Fields the target leaves out are filled from the PG*
    /// variables, as libpq fills them, whether the target came from TARGET or DATABASE_URL.
    /// </summary>
    /// <param name="userName">The operating-system user, the last default for the login; null for <see cref="Environment.UserName"/>.</param>
    /// <exception cref="TargetException">The input is malformed; the message says what and how to fix it.</exception>
    public static ResolveResult ResolveWithWarnings(string? argument, Func<string, string?> environment, string? homeDirectory, string? userName = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var warnings = new List<string>();
        TargetFields fields;
        TargetSource source;
        if (argument is not null)
        {
            fields = Parse("TARGET", argument, warnings);
            source = TargetSource.Argument;
        }
        else if (environment("DATABASE_URL") is { Length: > 0 } databaseUrl)
        {
            fields = Parse("DATABASE_URL", databaseUrl, warnings);
            source = TargetSource.DatabaseUrl;
        }
        else
        {
            fields = new TargetFields();
            source = TargetSource.LibpqEnvironment;
        }

        fields = LibpqEnvironment.FillGaps(fields, environment);
        var target = Complete(fields, source, homeDirectory, userName ?? Environment.UserName, warnings);
        return new ResolveResult(target, warnings);
    }

    public static ConnectionTarget ResolveFromProcess(string? argument) =>
        ResolveFromProcessWithWarnings(argument).Target;

    public static ResolveResult ResolveFromProcessWithWarnings(string? argument) =>
        ResolveWithWarnings(argument, Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) is { Length: > 0 } home ? home : null);

    private static TargetFields Parse(string origin, string text, List<string> warnings)
    {
        try
        {
            return TargetParser.Parse(text, warnings);
        }
        catch (TargetException e)
        {
            // Says which input was wrong; the inner exception is dropped because the messages
            // were written to be safe, and nothing underneath them was.
            throw new TargetException($"{origin}: {e.Message}");
        }
    }

    private static ConnectionTarget Complete(TargetFields fields, TargetSource source, string? homeDirectory, string userName, List<string> warnings)
    {
        var user = NonEmpty(fields.User) ?? userName;
        var database = NonEmpty(fields.Database) ?? user;
        var port = fields.Port ?? ConnectionTarget.DefaultPort;

        // libpq connects to hostaddr when given, but still uses host for the password file.
        var host = NonEmpty(fields.HostAddress) ?? NonEmpty(fields.Host) ?? "localhost";
        var password = NonEmpty(fields.Password);
        var passwordFromFile = false;
        if (password is null)
        {
            var path = NonEmpty(fields.PasswordFile) ?? (homeDirectory is null ? null : Path.Combine(homeDirectory, ".pgpass"));
            if (path is not null)
            {
                var key = new PasswordFileKey(NonEmpty(fields.Host) ?? NonEmpty(fields.HostAddress) ?? "localhost", port, database, user);
                password = NonEmpty(PasswordFile.Read(path, key, warnings));
                passwordFromFile = password is not null;
            }
        }

        return new ConnectionTarget
        {
            Host = host,
            Port = port,
            Database = database,
            User = user,
            Password = password,
            SslMode = fields.SslMode,

            // Zero means "wait forever" in libpq; we keep the default rather than hang a diagnosis.
            ConnectTimeout = fields.ConnectTimeout is { } timeout && timeout > TimeSpan.Zero ? timeout : null,
            ApplicationName = NonEmpty(fields.ApplicationName),
            Source = source,
            PasswordFromFile = passwordFromFile,
        };
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
