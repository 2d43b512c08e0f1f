using System.CommandLine;
using PgMedic.Cli.Output;
using PgMedic.Core.Common;

namespace PgMedic.Cli.Common;

/// <summary>The arguments and options every command shares, built the same way everywhere.</summary>
internal static class CommonOptions
{
    public static Option<OutputFormat> Format() => new("--format", "-f")
    {
        Description = "Output format (default table)",
        HelpName = "table|json|markdown",
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

    /// <param name="alias">The short spelling, or null for none.</param>
    public static Option<TimeSpan> DurationOption(string name, string? alias, string description, TimeSpan defaultValue) =>
        new(name, alias is null ? [] : [alias])
        {
            Description = description + $" (e.g. 500ms, 30s, 5m, 1h30m; default {Duration.Format(defaultValue)})",
            HelpName = "duration",
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

    /// <summary>A duration with no default: null when not given (a minimum that applies only when asked for).</summary>
    /// <param name="alias">The short spelling, or null for none.</param>
    public static Option<TimeSpan?> OptionalDurationOption(string name, string? alias, string description) =>
        new(name, alias is null ? [] : [alias])
        {
            Description = description + " (e.g. 30s, 5m, 1h30m; no minimum by default)",
            HelpName = "duration",
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
                if (Duration.TryParse(text, out var value) && value >= TimeSpan.Zero)
                {
                    return value;
                }

                result.AddError($"{name} '{text}' is not a duration: use a number with a unit, e.g. 30s, 5m or 1h30m");
                return null;
            },
        };

    /// <summary>
    /// System.CommandLine hands an unknown option to a free positional argument (<c>probe --jsn</c> makes
    /// "--jsn" the TARGET): such a value fails as an unknown option instead ("-" alone, standard input, is kept).
    /// </summary>
    public static TArgument RefusingOptions<TArgument>(TArgument argument)
        where TArgument : Argument
    {
        ArgumentNullException.ThrowIfNull(argument);
        argument.Validators.Add(result =>
        {
            if (result.Tokens.Any(t => ParseErrorText.LooksLikeOption(t.Value)))
            {
                result.AddError(ParseErrorText.UnknownOptionMarker);
            }
        });
        return argument;
    }

    /// <summary>
    /// A spelling that used to mean something else: hidden from help, accepted by the parser only to
    /// fail with the new name, so an old script stops rather than doing something it did not ask for.
    /// </summary>
    public static Option<string[]> Renamed(string old, string now, string? why = null)
    {
        var option = new Option<string[]>(old) { Hidden = true, Arity = ArgumentArity.ZeroOrMore };
        option.Validators.Add(result => result.AddError($"'{old}' is now '{now}'{(why is null ? string.Empty : "; " + why)}"));
        return option;
    }
}
