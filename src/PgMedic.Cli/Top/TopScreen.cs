namespace PgMedic.Cli.Top;

/// <summary>How a whole line is drawn.</summary>
internal enum LineStyle
{
    Plain,
    Title,
    Heading,
    Dim,
    Cursor,
    Tagged,
    CursorTagged,
    Root,
    Good,
    Warning,
    Bad,
    Dialog,
}

/// <summary>One line of the screen: its text (never wider than the screen) and its style.</summary>
internal readonly record struct ScreenLine(string Text, LineStyle Style = LineStyle.Plain);

/// <summary>What one frame draws: exactly the screen's height in lines, and the PID each session line shows.</summary>
/// <param name="Pids">The sessions the cursor can move over, top to bottom, as drawn.</param>
/// <param name="RowsPerPane">Session rows each pane was given, in pane order (how the budget fell).</param>
internal sealed record TopScreen(IReadOnlyList<ScreenLine> Lines, IReadOnlyList<int> Pids, IReadOnlyList<int> RowsPerPane);
