using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;
using PgMedic.Core.Common;

namespace PgMedic.Cli.Common;

/// <summary>
/// Turns System.CommandLine's parse errors into one line in the user's words: "unknown option '--jsn'",
/// "unknown command 'diagnos' — did you mean 'diagnose'?", an old spelling's new name. A token is
/// echoed only when it has the shape of an option or command name, because an unquoted conninfo
/// splits into words and one of them may be a password.
/// </summary>
internal static partial class ParseErrorText
{
    /// <summary>What <see cref="CommonOptions.RefusingOptions"/> records; the words are built here, where the command is known.</summary>
    public const string UnknownOptionMarker = "unknown option";

    private const string NotShown = "not shown: an unquoted conninfo splits into words, and one may hold a password";

    private const string ExtraArguments = $"unexpected extra argument(s) ({NotShown}); quote the TARGET, e.g. 'host=db user=app password=…'";

    /// <summary>A token the user meant as an option: starts with '-' and is more than "-" (standard input) or a negative number.</summary>
    public static bool LooksLikeOption(string token) =>
        token.Length > 1 && token[0] == '-' && !char.IsAsciiDigit(token[1]);

    public static string Describe(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var command = parseResult.CommandResult;
        var path = CommandPath.Of(command);
        var message = Renamed(parseResult) ?? StrayOption(parseResult, command) ?? Unmatched(parseResult, command, path) ?? FromErrors(parseResult, command, path);
        return $"{message} (see '{path} --help')";
    }

    /// <summary>An old spelling's "is now" beats what its absence set off (a required option missing, say).</summary>
    private static string? Renamed(ParseResult parseResult) =>
        parseResult.Errors.FirstOrDefault(e => e.SymbolResult is OptionResult { Option.Hidden: true })?.Message;

    /// <summary>An unknown option that System.CommandLine took for a positional value.</summary>
    private static string? StrayOption(ParseResult parseResult, CommandResult command) =>
        parseResult.Errors.FirstOrDefault(e => e.SymbolResult is ArgumentResult && e.Message == UnknownOptionMarker)?.SymbolResult is { } argument
            ? UnknownOption(argument.Tokens.First(t => LooksLikeOption(t.Value)).Value, command)
            : null;

    private static string? Unmatched(ParseResult parseResult, CommandResult command, string path)
    {
        var tokens = parseResult.UnmatchedTokens;
        if (tokens.Count == 0)
        {
            return null;
        }

        var word = tokens.FirstOrDefault(t => !t.StartsWith('-'));
        if (word is not null && command.Command.Subcommands.Count > 0)
        {
            return SafeWord().IsMatch(word)
                ? $"unknown command '{path} {word}'{Suggest(word, command.Command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name), $"{path} ")}"
                : $"'{path}' needs a command first, e.g. '{path} {command.Command.Subcommands.First(c => !c.Hidden).Name}' (the word given is {NotShown})";
        }

        if (word is not null)
        {
            return ExtraArguments;
        }

        // After an unquoted "password=a -b", the "-b" is the rest of the password, not an option.
        return command.Children.OfType<ArgumentResult>().SelectMany(a => a.Tokens).Any(t => t.Value.Contains("password", StringComparison.OrdinalIgnoreCase))
            ? ExtraArguments
            : UnknownOption(tokens[0], command);
    }

    private static string UnknownOption(string token, CommandResult command)
    {
        if (token == "-h")
        {
            return "'-h' is not help: use '-?' or '--help' (-h is the host, as in psql)";
        }

        var name = token.Split('=', ':')[0];
        return SafeOption().IsMatch(name)
            ? $"unknown option '{name}'{Suggest(name, Names(command), string.Empty)}"
            : $"unknown option ({NotShown})";
    }

    private static string FromErrors(ParseResult parseResult, CommandResult command, string path)
    {
        var error = parseResult.Errors[0];
        return error.SymbolResult switch
        {
            OptionResult { Option: { Name: "--host" } host, Tokens.Count: 0 } when ConnectionOptions.IsConnectionOption(host) =>
                "'-h' needs a host name: it is the host, as in psql; for help use '-?' or '--help'",
            OptionResult { Option: { Name: "--dbname" } dbname, Tokens.Count: > 1 } when ConnectionOptions.IsConnectionOption(dbname) =>
                "'-d' is the one database to connect to (--dbname), as in psql" +
                (command.Command.Options.Any(o => o.Name == "--in-database") ? "; to act in or list several, use '--in-database'" : "; give it once"),
            OptionResult { Option: var typed, Tokens: [var token, ..] } when error.Message.Contains("expected type", StringComparison.Ordinal) =>
                $"{typed.Name} {(SafeWord().IsMatch(token.Value) || NumberLike().IsMatch(token.Value) ? $"'{token.Value}'" : "(value not shown)")} is not {Kind(typed)}",
            CommandResult { Command: { Subcommands.Count: > 0, Action: null } group } =>
                $"'{path}' needs a command: {string.Join(", ", group.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}",
            _ => string.Join(' ', error.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)),
        };
    }

    private static string Kind(Option option)
    {
        var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
        return type == typeof(int) || type == typeof(long) ? "a whole number" : type == typeof(double) ? "a number" : "a valid value";
    }

    private static IEnumerable<string> Names(CommandResult command)
    {
        for (SymbolResult? current = command; current is not null; current = current.Parent)
        {
            if (current is CommandResult c)
            {
                foreach (var option in c.Command.Options.Where(o => !o.Hidden && (o.Recursive || c == command)))
                {
                    yield return option.Name;
                }
            }
        }
    }

    /// <summary>" — did you mean 'x'?" for the closest name within two edits (or that starts with what was typed), else nothing.</summary>
    private static string Suggest(string typed, IEnumerable<string> names, string prefix)
    {
        var best = names
            .Select(n => (Name: n, Distance: n.StartsWith(typed, StringComparison.OrdinalIgnoreCase) && typed.TrimStart('-').Length >= 3 ? 0 : EditDistance.Between(typed, n)))
            .Where(x => x.Distance <= 2)
            .OrderBy(x => x.Distance)
            .Select(x => x.Name)
            .FirstOrDefault();
        return best is null ? string.Empty : $" — did you mean '{prefix}{best}'?";
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,40}$")]
    private static partial Regex SafeWord();

    [GeneratedRegex(@"^-{1,2}[A-Za-z?][A-Za-z0-9-]{0,40}$")]
    private static partial Regex SafeOption();

    [GeneratedRegex(@"^-?[0-9][0-9.,%]{0,20}$")]
    private static partial Regex NumberLike();
}
