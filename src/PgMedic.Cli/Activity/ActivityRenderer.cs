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

    /// <param name="tree">Table and markdown draw the lock trees (blocker → waiters) instead of the listing; JSON always has them.</param>
    public static void Render(ActivityReport report, OutputFormat format, CliContext context, bool tree = false) =>
        Formats.Write(report, format, context, CliJsonContext.Dialect.ActivityReport, tree ? RenderTreeMarkdown : RenderMarkdown, tree ? RenderTreeTable : RenderTable);

    /// <summary>
    /// The lock trees as lines: the head with its state, age, transaction age and how many wait behind it, then
    /// each waiter under the session it waits for (<c>├─</c>/<c>└─</c>) with how long it has waited.
    /// </summary>
    public static IReadOnlyList<string> TreeLines(ActivityReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rows = report.Sessions.ToDictionary(r => r.Pid);
        var lines = new List<string>();
        foreach (var tree in report.LockTrees)
        {
            foreach (var line in PgMedic.Core.Diagnosis.LockGraph.Draw(tree))
            {
                rows.TryGetValue(line.Node.Pid, out var row);
                var pid = line.Node.Pid.ToString(CultureInfo.InvariantCulture);
                var behind = line.Node.Behind > 0 ? $" · {line.Node.Behind} behind" : string.Empty;
                lines.Add(row is null
                    ? $"{line.Prefix}{pid} (filtered out or not visible){behind}"
                    : line.Depth == 0
                        ? $"{line.Prefix}{pid} {ViewCells.Text(row.Application)} ({ViewCells.Text(row.User)}@{ViewCells.Text(row.Database)}) {row.State ?? "-"} for {ViewCells.Age(row.StateAgeSeconds)}, transaction open {ViewCells.Age(row.TransactionAgeSeconds)}{behind} · {ViewCells.Query(row.Query)}"
                        : $"{line.Prefix}{pid} {ViewCells.Text(row.Application)} ({ViewCells.Text(row.User)}@{ViewCells.Text(row.Database)}) waiting {ViewCells.Age(row.LockWaitAgeSeconds)} on {ViewCells.Text(row.WaitEvent)}{behind} · {ViewCells.Query(row.Query)}");
            }
        }

        return lines;
    }

    private static string TreeHeading(ActivityReport report) =>
        string.Create(CultureInfo.InvariantCulture, $"lock tree — {report.LockTrees.Count} chain(s), {report.LockTrees.Sum(t => t.Behind)} session(s) waiting · waits from {(report.LockWaitClock == LockWaitClock.WaitStart ? "pg_locks.waitstart" : "query_start")} · {report.TakenAt:yyyy-MM-dd HH:mm:ss} UTC (server clock)");

    private static void RenderTreeTable(ActivityReport report, IAnsiConsole console)
    {
        console.MarkupLine($"[bold]activity[/] {Terminal.Safe(report.Target)} — {Terminal.Safe(TreeHeading(report))}");
        Notes(report, console);
        if (report.LockTrees.Count == 0)
        {
            console.MarkupLine("[green]No lock waits: nobody is blocked.[/]");
            return;
        }

        foreach (var line in TreeLines(report))
        {
            var root = line.Length > 0 && char.IsAsciiDigit(line[0]);
            var text = Terminal.Safe(Terminal.Clip(console, line));
            console.MarkupLine(root ? $"[bold yellow]{text}[/]" : text);
        }
    }

    private static void RenderTreeMarkdown(ActivityReport report, TextWriter output)
    {
        output.WriteLine($"### PgMedic activity — lock tree — `{report.Target}`");
        output.WriteLine();
        output.WriteLine(TreeHeading(report));
        output.WriteLine();
        if (report.LockTrees.Count == 0)
        {
            output.WriteLine("No lock waits: nobody is blocked.");
            return;
        }

        output.WriteLine("```");
        foreach (var line in TreeLines(report))
        {
            output.WriteLine(line);
        }

        output.WriteLine("```");
    }

    private static void Notes(ActivityReport report, IAnsiConsole console)
    {
        foreach (var limitation in report.Visibility.Limitations)
        {
            console.MarkupLine($"[yellow]note:[/] {Terminal.Safe(limitation)}");
        }

        if (LockWaitClocks.Caveat(report.LockWaitClock) is { } caveat && report.LockTrees.Count > 0)
        {
            console.MarkupLine($"[yellow]note:[/] {Terminal.Safe(caveat)}");
        }
    }

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
        row.LockWaitAgeSeconds is { } waited ? $"{ViewCells.Wait(row.WaitEventType, row.WaitEvent)} {ViewCells.Age(waited)}" : ViewCells.Wait(row.WaitEventType, row.WaitEvent),
        ViewCells.Query(row.Query),
    ];

    private static void RenderTable(ActivityReport report, IAnsiConsole console)
    {
        console.MarkupLine($"[bold]activity[/] {Terminal.Safe(report.Target)} — {Terminal.Safe(Heading(report))}");
        Notes(report, console);

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
