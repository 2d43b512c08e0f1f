using PgMedic.Postgres.Targets;

namespace PgMedic.Postgres.Tests.Targets;

/// <summary>Resolves targets against a made-up environment, so the machine's own PG* variables never leak in.</summary>
internal static class TargetTestKit
{
    public const string OsUser = "osuser";

    public const string Secret = "s3cr3t-pw";

    /// <param name="environment">"NAME=value" pairs separated by '|', e.g. "PGHOST=db|PGPORT=5433".</param>
    /// <param name="overrides">psql's -h -p -U -d, as the CLI passes them.</param>
    public static ResolveResult Resolve(string? argument, string environment = "", string? home = null, TargetOverrides? overrides = null)
    {
        var variables = ParseEnvironment(environment);

        // No socket directories: a server on this machine's default socket must not change what these tests see.
        return TargetResolver.ResolveWithWarnings(argument, name => variables.GetValueOrDefault(name), home, OsUser, overrides, socketDirectories: []);
    }

    public static ConnectionTarget Target(string? argument, string environment = "", string? home = null) =>
        Resolve(argument, environment, home).Target;

    public static TargetException Failure(string? argument, string environment = "", string? home = null) =>
        Assert.Throws<TargetException>(() => Resolve(argument, environment, home));

    public static Dictionary<string, string> ParseEnvironment(string environment) =>
        environment.Split('|', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair.Length > 1 ? pair[1] : string.Empty, StringComparer.Ordinal);
}
