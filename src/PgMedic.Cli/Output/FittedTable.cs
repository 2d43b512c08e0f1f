using System.Text;
using Spectre.Console;

namespace PgMedic.Cli.Output;

/// <summary>How a column gives way when its table is wider than the terminal.</summary>
internal enum ColumnFit
{
    /// <summary>Never cut: numbers, PIDs, ages and states, where a cut value would be a wrong one.</summary>
    Keep,

    /// <summary>Cut with an ellipsis, widest first, down to a few characters: names, addresses, endpoints.</summary>
    Shrink,

    /// <summary>Only the last column: the width that is left, cut with an ellipsis (query text).</summary>
    Clip,

    /// <summary>Only the last column: the width that is left, wrapped onto more lines (reasons, advice).</summary>
    Wrap,
}

/// <summary>A column: its header, how it gives way, and its alignment.</summary>
internal sealed record FittedColumn(string Header, ColumnFit Fit = ColumnFit.Shrink, bool RightAligned = false);

/// <summary>A cell's plain text (never markup: it is escaped here) and an optional Spectre style such as <c>yellow</c>.</summary>
internal readonly record struct FittedCell(string Text, string? Style = null)
{
    public static implicit operator FittedCell(string text) => new(text);
}

/// <summary>
/// A table that fits the terminal: cells cut with an ellipsis (numbers and states never), the last column
/// clipped or wrapped to the width left, and, when even that does not fit, each row stacked as
/// <c>header value</c> pairs over a few lines (psql's expanded display, kept compact). Piped output
/// (no width) keeps every value whole.
/// </summary>
internal sealed class FittedTable(params FittedColumn[] columns)
{
    /// <summary>A column cut narrower than this says too little: below it the table is stacked.</summary>
    private const int ShrinkMinimum = 6;

    /// <summary>A clipped last column gets at least this much, or the table is stacked …</summary>
    private const int ClipMinimum = 20;

    /// <summary>… and a wrapped one this much, since it goes on over more lines.</summary>
    private const int WrapMinimum = 12;

    private const string Separator = " · ";
    private const string Indent = "  ";

    private readonly List<FittedCell[]> _rows = [];

    public string? Title { get; init; }

    public void AddRow(params FittedCell[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Length != columns.Length)
        {
            throw new ArgumentException($"a row of {cells.Length} cells for {columns.Length} columns", nameof(cells));
        }

        _rows.Add(cells);
    }

    public void Write(IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var width = Terminal.WidthOf(console);
        var natural = columns.Select((c, i) => _rows.Select(r => r[i].Text.Length).Append(c.Header.Length).Max()).ToArray();
        if (width is not { } limit)
        {
            console.Write(Spectre(natural, truncate: false));
            return;
        }

        if (Fit(natural, limit) is { } widths)
        {
            console.Write(Spectre(widths, truncate: true));
        }
        else
        {
            Stacked(console, limit);
        }
    }

    /// <summary>Cuts a value to <paramref name="width"/> characters, the last one an ellipsis.</summary>
    public static string Cut(string text, int width)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length <= width ? text : width <= 1 ? "…" : text[..(width - 1)] + "…";
    }

    // Spectre's simple border with one space after each cell: a border character before the first column
    // and after each one.
    private static int Overhead(int columnCount) => (2 * columnCount) + 1;

    /// <summary>The widths that fit <paramref name="limit"/>, or null when only stacking does.</summary>
    private int[]? Fit(int[] natural, int limit)
    {
        var room = limit - Overhead(columns.Length);
        if (natural.Sum() <= room)
        {
            return natural;
        }

        var widths = (int[])natural.Clone();
        var last = columns.Length - 1;
        var hasRest = columns[last].Fit is ColumnFit.Clip or ColumnFit.Wrap;
        var restMinimum = !hasRest ? 0 : Math.Min(natural[last], columns[last].Fit == ColumnFit.Clip ? ClipMinimum : WrapMinimum);
        int Others() => widths.Take(hasRest ? last : columns.Length).Sum();

        // Cut the widest cuttable column by one until the others leave the last column its minimum.
        while (Others() + restMinimum > room)
        {
            var widest = Enumerable.Range(0, hasRest ? last : columns.Length)
                .Where(i => columns[i].Fit == ColumnFit.Shrink && widths[i] > Math.Min(natural[i], ShrinkMinimum))
                .OrderByDescending(i => widths[i])
                .DefaultIfEmpty(-1)
                .First();
            if (widest < 0)
            {
                return null;
            }

            widths[widest]--;
        }

        if (hasRest)
        {
            widths[last] = Math.Min(natural[last], room - Others());
        }

        return widths;
    }

    private Table Spectre(int[] widths, bool truncate)
    {
        var table = new Table().Border(TableBorder.Simple);
        if (Title is not null)
        {
            table.Title(Terminal.Safe(Title));
        }

        for (var i = 0; i < columns.Length; i++)
        {
            var column = new TableColumn(Terminal.Safe(truncate ? Cut(columns[i].Header, widths[i]) : columns[i].Header)).Padding(0, 0, 1, 0);
            if (truncate)
            {
                column.Width(widths[i]);
                if (columns[i].Fit != ColumnFit.Wrap)
                {
                    column.NoWrap();
                }
            }

            if (columns[i].RightAligned)
            {
                column.RightAligned();
            }

            table.AddColumn(column);
        }

        foreach (var row in _rows)
        {
            table.AddRow(row.Select((cell, i) => Markup(truncate && columns[i].Fit != ColumnFit.Wrap ? Cut(cell.Text, widths[i]) : cell.Text, cell.Style)).ToArray());
        }

        return table;
    }

    // Each row as "header value" pairs flowing over as few lines as fit, the last column on a line of its own.
    private void Stacked(IAnsiConsole console, int limit)
    {
        if (Title is not null)
        {
            console.MarkupLine($"[bold]{Terminal.Safe(Cut(Title, limit))}[/]");
        }

        var last = columns.Length - 1;
        var ownLine = columns[last].Fit is ColumnFit.Clip or ColumnFit.Wrap;
        for (var r = 0; r < _rows.Count; r++)
        {
            if (r > 0)
            {
                console.WriteLine();
            }

            var row = _rows[r];
            var line = new StringBuilder();
            var length = 0;
            var firstLine = true;
            for (var i = 0; i < (ownLine ? last : columns.Length); i++)
            {
                if (row[i].Text.Length == 0)
                {
                    continue;
                }

                var label = columns[i].Header + " ";
                var value = Cut(row[i].Text, Math.Max(1, limit - Indent.Length - label.Length));
                if (length > 0 && length + Separator.Length + label.Length + value.Length > limit)
                {
                    console.MarkupLine(line.ToString());
                    line.Clear();
                    length = 0;
                    firstLine = false;
                }

                var joint = length > 0 ? Separator : firstLine ? string.Empty : Indent;
                line.Append(Terminal.Safe(joint + label)).Append(Markup(value, row[i].Style));
                length += joint.Length + label.Length + value.Length;
            }

            if (length > 0)
            {
                console.MarkupLine(line.ToString());
            }

            if (ownLine)
            {
                var label = Indent + columns[last].Header + " ";
                var value = columns[last].Fit == ColumnFit.Clip ? Cut(row[last].Text, Math.Max(1, limit - label.Length)) : row[last].Text;
                console.MarkupLine(Terminal.Safe(label) + Markup(value, row[last].Style));
            }
        }

        // As a table ends with its bottom border: what follows stands apart.
        console.WriteLine();
    }

    private static string Markup(string text, string? style) =>
        style is null ? Terminal.Safe(text) : $"[{style}]{Terminal.Safe(text)}[/]";
}
