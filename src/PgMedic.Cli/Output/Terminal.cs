using Spectre.Console;

namespace PgMedic.Cli.Output;

/// <summary>A Spectre console writing to the command's own output; colour only on a real terminal.</summary>
internal static class Terminal
{
    /// <summary>
    /// The width of piped output: wide enough that nothing is wrapped or cut. Piped output is read by grep
    /// and pasted into tickets, where a value cut to fit a terminal nobody looks at is lost.
    /// </summary>
    public const int Unlimited = 100_000;

    /// <summary>The narrowest terminal PgMedic lays out for; a narrower one gets lines this long.</summary>
    public const int NarrowestWidth = 40;

    public static IAnsiConsole For(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(context.Out),
            Ansi = context.IsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = context.IsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = context.IsTerminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        // On a terminal Spectre reads its width, and follows it when it is resized (top).
        if (context.Width is { } width)
        {
            console.Profile.Width = Math.Clamp(width, NarrowestWidth, Unlimited - 1);
        }
        else if (!context.IsTerminal)
        {
            console.Profile.Width = Unlimited;
        }

        return console;
    }

    /// <summary>The width a console lays out for; null when it is piped output that keeps full values.</summary>
    public static int? WidthOf(IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        return console.Profile.Width >= Unlimited ? null : console.Profile.Width;
    }

    /// <summary>A line cut to the console's width with an ellipsis, for lines that read badly wrapped (histograms).</summary>
    public static string Clip(IAnsiConsole console, string text) =>
        WidthOf(console) is { } width ? FittedTable.Cut(text, width) : text;

    /// <summary>Escapes text from the server (queries, names, messages) so Spectre does not read it as markup.</summary>
    public static string Safe(string? text) => Markup.Escape(text ?? string.Empty);
}
