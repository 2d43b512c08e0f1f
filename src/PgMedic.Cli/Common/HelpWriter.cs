using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Text;

namespace PgMedic.Cli.Common;

/// <summary>
/// pgmedic's help, asked for with <c>-?</c> or <c>--help</c> as in psql (<c>-h</c> is the host).
/// Written here rather than by System.CommandLine, which prints each default as the .NET value
/// (<c>00:00:10</c>, <c>Table</c>, a record's ToString) and enum names as the value list: every
/// description states its default as a user types it, and every value list is the option's HelpName.
/// </summary>
internal sealed class HelpWriter(bool terminal) : SynchronousCommandLineAction
{
    private const int MaxLabelWidth = 34;

    public override bool Terminating => true;

    public override bool ClearsParseErrors => true;

    /// <summary>The help option for the root command: recursive, so every verb has it.</summary>
    public static HelpOption Option(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new HelpOption("--help", "-?")
        {
            Description = "Show this help",
            Recursive = true,
            Action = new HelpWriter(context.IsTerminal),
        };
    }

    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        // Piped help wraps at 80 columns, as psql's does; on a terminal, at its width.
        var width = terminal && !Console.IsOutputRedirected ? Math.Clamp(Console.WindowWidth, 60, 160) : 80;
        parseResult.InvocationConfiguration.Output.Write(Render(parseResult.CommandResult, width));
        return 0;
    }

    /// <summary>The help of the command <paramref name="result"/> names (its path gives the usage line).</summary>
    private static string Render(CommandResult result, int width)
    {
        ArgumentNullException.ThrowIfNull(result);
        var command = result.Command;
        var path = CommandPath.Of(result);
        var text = new StringBuilder();
        if (command.Description is { Length: > 0 } description)
        {
            Wrap(text, description, "  ", width);
            text.AppendLine();
        }

        var usage = new StringBuilder(path);
        if (command.Subcommands.Any(c => !c.Hidden))
        {
            usage.Append(" <command>");
        }

        foreach (var argument in command.Arguments.Where(a => !a.Hidden))
        {
            usage.Append(' ').Append(argument.Arity.MinimumNumberOfValues == 0 ? $"[{Label(argument)}]" : Label(argument));
        }

        text.AppendLine("Usage:").Append("  ").Append(usage).AppendLine(" [options]").AppendLine();

        var arguments = command.Arguments.Where(a => !a.Hidden).Select(a => (Label(a), a.Description ?? string.Empty)).ToList();
        var options = Options(result).ToList();
        Section(text, "Arguments:", arguments, width);
        Section(text, "Options:", options.Where(o => !ConnectionOptions.IsConnectionOption(o)).Select(Row).ToList(), width);
        Section(text, "Connection options:", options.Where(ConnectionOptions.IsConnectionOption).Select(Row).ToList(), width);
        Section(text, "Commands:", command.Subcommands.Where(c => !c.Hidden).Select(c => (c.Name, c.Description ?? string.Empty)).ToList(), width);
        return text.ToString();
    }

    /// <summary>The command's own options, then the recursive ones its parents lend it (help, version on the root).</summary>
    private static IEnumerable<Option> Options(CommandResult result)
    {
        var own = result.Command.Options.Where(o => !o.Hidden).ToList();
        var inherited = new List<Option>();
        for (var parent = result.Parent as CommandResult; parent is not null; parent = parent.Parent as CommandResult)
        {
            inherited.AddRange(parent.Command.Options.Where(o => o.Recursive && !o.Hidden && !own.Contains(o)));
        }

        return own.Concat(inherited);
    }

    private static (string Label, string Description) Row(Option option)
    {
        var names = option.Aliases.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            .Append(option.Name)
            .Concat(option.Aliases.Where(a => a.StartsWith("--", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        var label = string.Join(", ", names);
        if (option.Arity.MaximumNumberOfValues > 0 && option.ValueType != typeof(bool))
        {
            label += $" <{option.HelpName ?? option.Name.TrimStart('-')}>";
        }

        return (label, option.Required ? $"{option.Description} (required)" : option.Description ?? string.Empty);
    }

    private static string Label(Argument argument) => $"<{argument.HelpName ?? argument.Name}>";

    private static void Section(StringBuilder text, string title, IReadOnlyList<(string Label, string Description)> rows, int width)
    {
        if (rows.Count == 0)
        {
            return;
        }

        text.AppendLine(title);
        var column = Math.Min(MaxLabelWidth, rows.Max(r => r.Label.Length)) + 4;
        foreach (var (label, description) in rows)
        {
            var indent = new string(' ', column);
            if (label.Length + 4 > column)
            {
                // A long label takes its own line; its description starts below it, in the column.
                text.Append("  ").AppendLine(label);
                Wrap(text, description, indent, width);
            }
            else
            {
                var first = "  " + label.PadRight(column - 2);
                Wrap(text, description, indent, width, first);
            }
        }

        text.AppendLine();
    }

    /// <summary>Word-wraps <paramref name="paragraph"/> to <paramref name="width"/>, each line indented; the first line may start with <paramref name="lead"/>.</summary>
    private static void Wrap(StringBuilder text, string paragraph, string indent, int width, string? lead = null)
    {
        var line = new StringBuilder(lead ?? indent);
        var empty = true;
        foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!empty && line.Length + 1 + word.Length > width)
            {
                text.AppendLine(line.ToString());
                line.Clear().Append(indent);
                empty = true;
            }

            line.Append(empty ? string.Empty : " ").Append(word);
            empty = false;
        }

        text.AppendLine(line.ToString().TrimEnd());
    }
}
