namespace PgMedic.Postgres.Targets;

/// <summary>
/// Turns what the user typed (or nothing) into a <see cref="ConnectionTarget"/>:
/// positional TARGET (URL, conninfo or Npgsql string), else DATABASE_URL, else the libpq
/// variables; psql's options (-h -p -U -d) replace the matching parts; the password comes from
/// PGPASSFILE or ~/.pgpass when none was given.
/// </summary>
public static class TargetResolver
{
    private const string DroppedPasswordSource = "the password comes from PGPASSWORD or the password file instead, if either has one";

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
    /// <param name="overrides">
    /// psql's -h -p -U -d. They beat TARGET's parts; with no TARGET, DATABASE_URL is not read (it
    /// would be a different server's URL) and they combine with the PG* variables. A password
    /// TARGET gave for one host and user is never sent to another: -h or -U naming another drops it.
    /// </param>
    /// <param name="socketDirectories">Where to look for a local server's socket when no host is given; null for libpq's usual places.</param>
    /// <exception cref="TargetException">The input is malformed; the message says what and how to fix it.</exception>
    public static ResolveResult ResolveWithWarnings(
        string? argument,
        Func<string, string?> environment,
        string? homeDirectory,
        string? userName = null,
        TargetOverrides? overrides = null,
        IReadOnlyList<string>? socketDirectories = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        overrides ??= TargetOverrides.None;
        var warnings = new List<string>();
        TargetFields fields;
        TargetSource source;
        if (argument is not null)
        {
            fields = Override(Parse("TARGET", argument, warnings), overrides, warnings);
            source = TargetSource.Argument;
        }
        else if (!overrides.Any && environment("DATABASE_URL") is { Length: > 0 } databaseUrl)
        {
            fields = Parse("DATABASE_URL", databaseUrl, warnings);
            source = TargetSource.DatabaseUrl;
        }
        else
        {
            fields = Override(new TargetFields(), overrides, warnings);
            source = TargetSource.LibpqEnvironment;
        }

        fields = LibpqEnvironment.FillGaps(fields, environment);
        var target = Complete(fields, source, homeDirectory, userName ?? Environment.UserName, socketDirectories ?? SocketDefault.Directories, warnings);
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

    /// <summary>The options beat TARGET's parts; a password stays only with the host and user it was given for.</summary>
    private static TargetFields Override(TargetFields fields, TargetOverrides overrides, List<string> warnings)
    {
        if (overrides.Host is { } hostText)
        {
            var host = TargetValues.Host(hostText, "-h/--host");
            var givenFor = NonEmpty(fields.Host) ?? NonEmpty(fields.HostAddress) ?? SocketDefault.Localhost;
            if (fields.Password is not null && !string.Equals(givenFor, host, StringComparison.OrdinalIgnoreCase))
            {
                warnings.Add($"the password in TARGET was given for host {MessageText.Quote(givenFor)}, not {MessageText.Quote(host)} (-h), so it is not sent; {DroppedPasswordSource}");
                fields = fields with { Password = null };
            }

            // TARGET's hostaddr is the address of TARGET's host, not of this one.
            fields = fields with { Host = host, HostAddress = null };
        }

        if (overrides.User is { } user)
        {
            if (fields.Password is not null && fields.User is { } givenFor && !string.Equals(givenFor, user, StringComparison.Ordinal))
            {
                warnings.Add($"the password in TARGET was given for user {MessageText.Quote(givenFor)}, not {MessageText.Quote(user)} (-U), so it is not sent; {DroppedPasswordSource}");
                fields = fields with { Password = null };
            }

            fields = fields with { User = user };
        }

        return fields with
        {
            Port = overrides.Port is { } port ? TargetValues.Port(port, "-p/--port") ?? fields.Port : fields.Port,
            Database = overrides.Database ?? fields.Database,
        };
    }

    private static ConnectionTarget Complete(TargetFields fields, TargetSource source, string? homeDirectory, string userName, IReadOnlyList<string> socketDirectories, List<string> warnings)
    {
        var user = NonEmpty(fields.User) ?? userName;
        var database = NonEmpty(fields.Database) ?? user;
        var port = fields.Port ?? ConnectionTarget.DefaultPort;

        // libpq connects to hostaddr when given, but still uses host for the password file.
        var host = NonEmpty(fields.HostAddress) ?? NonEmpty(fields.Host) ?? SocketDefault.Host(port, socketDirectories);
        var password = NonEmpty(fields.Password);
        var passwordFromFile = false;
        if (password is null)
        {
            var path = NonEmpty(fields.PasswordFile) ?? (homeDirectory is null ? null : Path.Combine(homeDirectory, ".pgpass"));
            if (path is not null)
            {
                var key = new PasswordFileKey(NonEmpty(fields.Host) ?? NonEmpty(fields.HostAddress) ?? SocketDefault.Localhost, port, database, user);
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
