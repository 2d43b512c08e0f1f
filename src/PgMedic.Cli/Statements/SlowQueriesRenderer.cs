using System.Globalization;
using PgMedic.Cli.Output;
using PgMedic.Core.Statements;
using Spectre.Console;

namespace PgMedic.Cli.Statements;

internal static class SlowQueriesRenderer
{
    public static void Render(SlowQueryReport report, OutputFormat format, CliContext context) =>
        Formats.Write(report, format, context, CliJsonContext.Default.SlowQueryReport, RenderMarkdown, RenderTable);

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
        return $"top {report.Statements.Count} statement(s) by {by} {scope} · pg_stat_statements {report.ExtensionVersion} ({report.MeanColumn}, {report.TotalColumn})";
    }

    private static string[] Header(SlowQueryReport report) =>
        report.AllDatabases
            ? ["#", "mean ms", "calls", "total ms", "rows", "% of time", "database", "query"]
            : ["#", "mean ms", "calls", "total ms", "rows", "% of time", "query"];

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
        if (report.Statements.Count == 0)
        {
            console.MarkupLine("[green]No statements recorded yet.[/]");
            return;
        }

        var table = new Table().Border(TableBorder.Simple);
        foreach (var (column, index) in Header(report).Select((c, i) => (c, i)))
        {
            var tableColumn = new TableColumn(column);
            if (index is > 0 and < 6)
            {
                tableColumn.RightAligned();
            }

            table.AddColumn(tableColumn);
        }

        var rank = 1;
        foreach (var statement in report.Statements)
        {
            table.AddRow(Cells(report, statement, rank++).Select(Terminal.Safe).ToArray());
        }

        console.Write(table);
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
        output.WriteLine();
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
}
