using System.Globalization;
using PgMedic.Cli.Output;
using PgMedic.Core.Activity;
using PgMedic.Core.Snapshots;
using Spectre.Console;

namespace PgMedic.Cli.Activity;

internal static class ActivityRenderer
{
    private static readonly FittedColumn[] Columns =
    [
        new("pid", ColumnFit.Keep, RightAligned: true),
        new("database"),
        new("user"),
        new("application"),
        new("client"),
        new("state", ColumnFit.Keep),
        new("in state", ColumnFit.Keep),
        new("xact age", ColumnFit.Keep),
        new("query age", ColumnFit.Keep),
        new("wait"),
        new("query", ColumnFit.Clip),
    ];

    public static void Render(ActivityReport report, OutputFormat format, CliContext context) =>
        Formats.Write(report, format, context, CliJsonContext.Dialect.ActivityReport, RenderMarkdown, RenderTable);

    /// <summary>The line above the listing: how many of how many, which filters, when.</summary>
    public static string Heading(ActivityReport report) =>
        string.Create(CultureInfo.InvariantCulture, $"{report.Count} of {report.Total} sessions · {Describe(report.Filter)} · oldest state_change first · {report.TakenAt:yyyy-MM-dd HH:mm:ss} UTC (server clock)");

    private static string Describe(ActivityFilterSummary filter) =>
        new ActivityFilter(filter.States, filter.Database, filter.Application, filter.User, filter.MinAgeSeconds is { } s ? TimeSpan.FromSeconds(s) : null, filter.AllBackends).Describe();

    private static string[] Cells(ActivityRow row) =>
    [
        row.Pid.ToString(CultureInfo.InvariantCulture),
        ViewCells.Text(row.Database),
        ViewCells.Text(row.User),
        ViewCells.Text(row.Application),
        ViewCells.Client(row.ClientAddress, row.ClientPort),
        row.State ?? (row.BackendType == BackendTypes.ClientBackend ? "-" : $"({row.BackendType})"),
        ViewCells.Age(row.StateAgeSeconds),
        ViewCells.Age(row.TransactionAgeSeconds),
        ViewCells.Age(row.QueryAgeSeconds),
        ViewCells.Wait(row.WaitEventType, row.WaitEvent),
        ViewCells.Query(row.Query),
    ];

    private static void RenderTable(ActivityReport report, IAnsiConsole console)
    {
        console.MarkupLine($"[bold]activity[/] {Terminal.Safe(report.Target)} — {Terminal.Safe(Heading(report))}");
        foreach (var limitation in report.Visibility.Limitations)
        {
            console.MarkupLine($"[yellow]note:[/] {Terminal.Safe(limitation)}");
        }

        if (report.Sessions.Count == 0)
        {
            console.MarkupLine("[green]No sessions match.[/]");
            return;
        }

        var table = new FittedTable(Columns);
        foreach (var row in report.Sessions)
        {
            var cells = Cells(row).Select(c => new FittedCell(c)).ToArray();
            cells[5] = cells[5] with { Style = StateColour(row.State) };
            table.AddRow(cells);
        }

        table.Write(console);
    }

    private static void RenderMarkdown(ActivityReport report, TextWriter output)
    {
        output.WriteLine($"### PgMedic activity — `{report.Target}`");
        output.WriteLine();
        output.WriteLine(Heading(report));
        foreach (var limitation in report.Visibility.Limitations)
        {
            output.WriteLine();
            output.WriteLine($"> note: {limitation}");
        }

        output.WriteLine();
        if (report.Sessions.Count == 0)
        {
            output.WriteLine("No sessions match.");
            return;
        }

        output.WriteLine("| " + string.Join(" | ", Columns.Select(c => c.Header)) + " |");
        output.WriteLine("|---:|---|---|---|---|---|---:|---:|---:|---|---|");
        foreach (var row in report.Sessions)
        {
            var cells = Cells(row).Select(ViewCells.Markdown).ToArray();
            cells[^1] = cells[^1] == "-" ? "-" : $"`{cells[^1].Replace("`", "'", StringComparison.Ordinal)}`";
            output.WriteLine("| " + string.Join(" | ", cells) + " |");
        }
    }

    private static string? StateColour(string? state) => state switch
    {
        SessionStates.Active => "green",
        SessionStates.IdleInTransaction or SessionStates.IdleInTransactionAborted => "yellow",
        _ => null,
    };
}
