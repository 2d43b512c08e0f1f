using System.CommandLine;
using PgMedic.Postgres.Targets;

namespace PgMedic.Cli.Common;

/// <summary>
/// TARGET and psql's connection options, <c>-h -p -U -d</c>, spelled as psql and pg_isready spell them.
/// The options beat TARGET's parts; with no TARGET they combine with the PG* variables (DATABASE_URL is then not read).
/// </summary>
internal sealed class ConnectionOptions
{
    public const string DefaultTargetDescription = "postgres:// URL, libpq conninfo ('host=… port=…') or Npgsql connection string; default: DATABASE_URL, else PGHOST/PGPORT/PGUSER/PGDATABASE…; with any of -h -p -U -d, those and the PG* variables (never DATABASE_URL)";

    public ConnectionOptions(string targetDescription = DefaultTargetDescription)
    {
        Target = CommonOptions.RefusingOptions(new Argument<string?>("target") { Description = targetDescription, Arity = ArgumentArity.ZeroOrOne });
    }

    public Argument<string?> Target { get; }

    public Option<string?> Host { get; } = new ConnectionOption("--host", "-h") { Description = "Database server host or socket directory (default: the local socket if a server listens there, else localhost)", HelpName = "host" };

    public Option<string?> Port { get; } = new ConnectionOption("--port", "-p") { Description = "Database server port (default 5432)", HelpName = "port" };

    public Option<string?> Username { get; } = new ConnectionOption("--username", "-U") { Description = "Database user name (default: the operating-system user)", HelpName = "user" };

    public Option<string?> Dbname { get; } = new ConnectionOption("--dbname", "-d") { Description = "Database to connect to (default: the user name)", HelpName = "database" };

    private Option[] All => [Host, Port, Username, Dbname];

    /// <summary>True for -h, -p, -U and -d, so help can list them under their own heading, as psql does.</summary>
    public static bool IsConnectionOption(Option option) => option is ConnectionOption;

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Arguments.Add(Target);
        foreach (var option in All)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>
    /// For a verb where -p used to be <paramref name="formerOption"/>: a -p value that is no port says so,
    /// rather than failing as a bad port.
    /// </summary>
    public void PortUsedToBe(string formerOption) =>
        Port.Validators.Add(result =>
        {
            if (result.Tokens is [var token] && !token.Value.All(char.IsAsciiDigit))
            {
                result.AddError($"'-p' is now the port, as in psql, and takes a number; what it used to mean is '{formerOption}'");
            }
        });

    /// <summary>True when the user named a server at all: a TARGET or any of -h -p -U -d.</summary>
    public bool IsGiven(ParseResult parseResult) => parseResult.GetValue(Target) is not null || Overrides(parseResult).Any;

    /// <summary>Resolves TARGET, the options and the environment; warnings (a password file ignored, a password not sent) go to stderr.</summary>
    /// <exception cref="TargetException">The target or an option is malformed.</exception>
    public ConnectionTarget Resolve(ParseResult parseResult, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var resolved = TargetResolver.ResolveWithWarnings(
            parseResult.GetValue(Target),
            context.Environment,
            context.HomeDirectory,
            overrides: Overrides(parseResult),
            socketDirectories: context.SocketDirectories);
        foreach (var warning in resolved.Warnings)
        {
            context.Error.WriteLine($"pgmedic: warning: {warning}");
        }

        return resolved.Target;
    }

    /// <summary>The type marks the four, so help can tell them from a verb's own <c>--port</c> (serve's HTTP port).</summary>
    private sealed class ConnectionOption(string name, string alias) : Option<string?>(name, alias);

    private TargetOverrides Overrides(ParseResult parseResult) => new()
    {
        Host = parseResult.GetValue(Host),
        Port = parseResult.GetValue(Port),
        User = parseResult.GetValue(Username),
        Database = parseResult.GetValue(Dbname),
    };
}
