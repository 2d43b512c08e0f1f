using System.Globalization;
using PgMedic.Cli.Output;
using PgMedic.Core.Statements;
using Spectre.Console;

namespace PgMedic.Cli.Statements;

internal static class SlowQueriesRenderer
{
    public static void Render(SlowQueryReport report, OutputFormat format, CliContext context) =>
        Formats.Write(report, format, context, CliJsonContext.Dialect.SlowQueryReport, RenderMarkdown, RenderTable);

    /// <summary><c>top 10 statements by mean time in database shop · pg_stat_statements 1.10 (mean_exec_time, total_exec_time)</c>.</summary>
    public static string Heading(SlowQueryReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var scope = report.AllDatabases ? "in every database" : $"in database {report.Database}";
        var by = report.Order switch
        {
            "total" => "total time",
            "calls" => "calls",
            _ => "mean time",
        };
        var whose = report.IncludesInternal ? "statement(s), PgMedic's and the drivers' included," : "application statement(s)";
        return $"top {report.Statements.Count} {whose} by {by} {scope} · pg_stat_statements {report.ExtensionVersion} ({report.MeanColumn}, {report.TotalColumn})";
    }

    /// <summary><c>3 statements by PgMedic and drivers hidden; --all shows them</c>, or null when none were.</summary>
    public static string? HiddenLine(SlowQueryReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report.Hidden switch
        {
            0 => null,
            1 => "1 statement by PgMedic and drivers hidden; --all shows it",
            var n => $"{n.ToString(CultureInfo.InvariantCulture)} statements by PgMedic and drivers hidden; --all shows them",
        };
    }

    private static string[] Header(SlowQueryReport report) =>
        [
            "#", "mean ms", "calls", "total ms", "rows", "% of time",
            .. report.AllDatabases ? ["database"] : Array.Empty<string>(),
            .. report.IncludesInternal ? ["by"] : Array.Empty<string>(),
            "query",
        ];

    private static string[] Cells(SlowQueryReport report, SlowQuery statement, int rank)
    {
        var cells = new List<string>
        {
            rank.ToString(CultureInfo.InvariantCulture),
            ViewCells.Number(statement.MeanMilliseconds, "0.00"),
            statement.Calls.ToString(CultureInfo.InvariantCulture),
            ViewCells.Number(statement.TotalMilliseconds, "0.00"),
            statement.Rows.ToString(CultureInfo.InvariantCulture),
            ViewCells.Number(statement.SharePercent, "0.0"),
        };
        if (report.AllDatabases)
        {
            cells.Add(ViewCells.Text(statement.Database));
        }

        if (report.IncludesInternal)
        {
            cells.Add(Source(statement.Source));
        }

        cells.Add(ViewCells.Query(statement.Query));
        return [.. cells];
    }

    private static void RenderTable(SlowQueryReport report, IAnsiConsole console)
    {
        if (!report.IsAvailable)
        {
            console.MarkupLine($"[bold red]UNAVAILABLE[/] {Terminal.Safe(report.Target)} — {Terminal.Safe(report.Message)}");
            console.MarkupLine("[bold]To enable pg_stat_statements:[/]");
            foreach (var step in report.EnableSteps)
            {
                console.MarkupLine("  " + Terminal.Safe(step));
            }

            return;
        }

        console.MarkupLine($"[bold]slow queries[/] {Terminal.Safe(report.Target)} — {Terminal.Safe(Heading(report))}");
        if (HiddenLine(report) is { } hidden)
        {
            console.MarkupLine($"[dim]{Terminal.Safe(hidden)}[/]");
        }

        if (report.Statements.Count == 0)
        {
            console.MarkupLine($"[green]{Nothing(report)}[/]");
            return;
        }

        var table = new FittedTable(Header(report).Select((column, index) => new FittedColumn(
            column,
            column == "query" ? ColumnFit.Clip : column is "database" ? ColumnFit.Shrink : ColumnFit.Keep,
            RightAligned: index is > 0 and < 6)).ToArray());
        var rank = 1;
        foreach (var statement in report.Statements)
        {
            table.AddRow(Cells(report, statement, rank++).Select(c => new FittedCell(c)).ToArray());
        }

        table.Write(console);
    }

    private static void RenderMarkdown(SlowQueryReport report, TextWriter output)
    {
        if (!report.IsAvailable)
        {
            output.WriteLine($"### PgMedic slow queries: **UNAVAILABLE** — `{report.Target}`");
            output.WriteLine();
            output.WriteLine(report.Message);
            output.WriteLine();
            output.WriteLine("To enable pg_stat_statements:");
            output.WriteLine();
            foreach (var step in report.EnableSteps)
            {
                output.WriteLine(step);
            }

            return;
        }

        output.WriteLine($"### PgMedic slow queries — `{report.Target}`");
        output.WriteLine();
        output.WriteLine(Heading(report));
        if (HiddenLine(report) is { } hidden)
        {
            output.WriteLine();
            output.WriteLine(hidden);
        }

        output.WriteLine();
        if (report.Statements.Count == 0)
        {
            output.WriteLine(Nothing(report));
            return;
        }

        var header = Header(report);
        output.WriteLine("| " + string.Join(" | ", header) + " |");
        output.WriteLine("|" + string.Concat(header.Select((_, i) => i is > 0 and < 6 ? "---:|" : "---|")));
        var rank = 1;
        foreach (var statement in report.Statements)
        {
            var cells = Cells(report, statement, rank++).Select(ViewCells.Markdown).ToArray();
            cells[^1] = $"`{cells[^1].Replace("`", "'", StringComparison.Ordinal)}`";
            output.WriteLine("| " + string.Join(" | ", cells) + " |");
        }
    }

    private static string Nothing(SlowQueryReport report) =>
        report.IncludesInternal ? "No statements recorded yet." : "No application statements recorded yet.";

    private static string Source(StatementSource source) => source switch
    {
        StatementSource.PgMedic => "pgmedic",
        StatementSource.Driver => "driver",
        _ => "app",
    };
}
