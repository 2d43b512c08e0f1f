using Spectre.Console;

namespace PgMedic.Cli.Output;

/// <summary>A Spectre console writing to the command's own output; colour only on a real terminal.</summary>
internal static class Terminal
{
    // Piped output is read by grep and pasted into tickets: wrapping it at 80 columns breaks lines apart.
    private const int PipedWidth = 240;

    public static IAnsiConsole For(CliContext context)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(context.Out),
            Ansi = context.IsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = context.IsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = context.IsTerminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!context.IsTerminal)
        {
            console.Profile.Width = PipedWidth;
        }

        return console;
    }

    /// <summary>Escapes text from the server (queries, names, messages) so Spectre does not read it as markup.</summary>
    public static string Safe(string? text) => Markup.Escape(text ?? string.Empty);
}
