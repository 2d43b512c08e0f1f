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
    public static ConnectionTarget Resolve(string? argument, Func<string, string?> environment, string? homeDirectory)
    {
        ArgumentNullException.ThrowIfNull(environment);
        throw new TargetException("target parsing is being written");
    }

    public static ConnectionTarget ResolveFromProcess(string? argument) =>
        Resolve(argument, Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));
}
