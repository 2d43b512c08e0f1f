using System.CommandLine;
using PgMedic.Cli.Output;
using PgMedic.Core.Common;
using PgMedic.Postgres.Targets;

namespace PgMedic.Cli.Common;

/// <summary>The arguments and options every command shares, built the same way everywhere.</summary>
internal static class CommonOptions
{
    public static Argument<string?> Target() => new("target")
    {
        Description = "postgres:// URL, libpq conninfo ('host=… port=…') or Npgsql connection string; default: DATABASE_URL, then PGHOST/PGPORT/PGUSER/PGDATABASE…",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public static Option<OutputFormat> Format() => new("--format", "-f")
    {
        Description = "Output format: table, json or markdown",
        DefaultValueFactory = _ => OutputFormat.Table,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
            if (Enum.TryParse<OutputFormat>(text, ignoreCase: true, out var format) && Enum.IsDefined(format) && !char.IsAsciiDigit(text.FirstOrDefault()))
            {
                return format;
            }

            result.AddError($"--format '{text}' is not one of table, json, markdown");
            return OutputFormat.Table;
        },
    };

    public static Option<TimeSpan> DurationOption(string name, string alias, string description, TimeSpan defaultValue) =>
        new(name, alias)
        {
            Description = description + $" (e.g. 500ms, 30s, 5m, 1h30m; default {Duration.Format(defaultValue)})",
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
                if (Duration.TryParse(text, out var value) && value > TimeSpan.Zero)
                {
                    return value;
                }

                result.AddError($"{name} '{text}' is not a duration: use a positive number with a unit, e.g. 500ms, 30s, 5m or 1h30m");
                return defaultValue;
            },
        };

    /// <summary>Resolves the TARGET argument (or the environment) and reports password-file warnings on stderr.</summary>
    /// <exception cref="TargetException">The target is malformed.</exception>
    public static ConnectionTarget ResolveTarget(ParseResult parseResult, Argument<string?> target, CliContext context)
    {
        var resolved = TargetResolver.ResolveWithWarnings(parseResult.GetValue(target), context.Environment, context.HomeDirectory);
        foreach (var warning in resolved.Warnings)
        {
            context.Error.WriteLine($"pgmedic: warning: {warning}");
        }

        return resolved.Target;
    }
}
