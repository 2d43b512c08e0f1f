using System.Globalization;
using PgMedic.Cli.Output;
using PgMedic.Core.Diagnosis;
using Spectre.Console;

namespace PgMedic.Cli.AppPools;

/// <summary>Renders <see cref="PoolsReport"/>: a row per service instance, then its oldest holders (endpoints arrive masked from PoolEndpointClient).</summary>
internal static class PoolsRenderer
{
    private const int HoldersShown = 5;

    public static void Render(PoolsReport report, OutputFormat format, CliContext context) =>
        Formats.Write(report, format, context, CliJsonContext.Dialect.PoolsReport, Markdown, Table);

    private static void Table(PoolsReport report, IAnsiConsole console)
    {
        var table = new FittedTable(
            new FittedColumn("service"),
            new FittedColumn("process"),
            new FittedColumn("pool"),
            new FittedColumn("size", ColumnFit.Keep, RightAligned: true),
            new FittedColumn("max", ColumnFit.Keep, RightAligned: true),
            new FittedColumn("checked out", ColumnFit.Keep, RightAligned: true),
            new FittedColumn("overflow", ColumnFit.Keep, RightAligned: true),
            new FittedColumn("idle", ColumnFit.Keep, RightAligned: true),
            new FittedColumn("waiting", ColumnFit.Keep, RightAligned: true),
            new FittedColumn("timeouts", ColumnFit.Keep, RightAligned: true),
            new FittedColumn("connect failures", ColumnFit.Keep, RightAligned: true),
            new FittedColumn("leaks", ColumnFit.Keep, RightAligned: true));
        foreach (var pool in report.Pools)
        {
            table.AddRow(pool.Error is null
                ? [pool.Endpoint, pool.Process ?? "-", pool.Name ?? "-", ViewCells.Known(pool.PoolSize), ViewCells.Known(pool.MaxConnections), N(pool.CheckedOut), ViewCells.Known(pool.Overflow), ViewCells.Known(pool.Idle), ViewCells.Known(pool.Waiting), N(pool.Timeouts), ViewCells.Known(pool.ConnectFailures), N(pool.Leaks)]
                : [pool.Endpoint, "-", new FittedCell($"not read: {pool.Error}", "red"), string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty]);
        }

        table.Write(console);
        foreach (var pool in report.Pools.Where(p => p.Holders.Count > 0))
        {
            console.MarkupLine($"[bold]{Terminal.Safe(pool.Name)}[/] at {Terminal.Safe(pool.Endpoint)}: oldest holders");
            foreach (var holder in Oldest(pool))
            {
                console.MarkupLine(Terminal.Safe($"  {Holder(holder)}"));
            }
        }
    }

    private static void Markdown(PoolsReport report, TextWriter output)
    {
        output.WriteLine("| service | process | pool | size | max | checked out | overflow | idle | waiting | timeouts | connect failures | leaks |");
        output.WriteLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var pool in report.Pools)
        {
            output.WriteLine(pool.Error is null
                ? $"| {pool.Endpoint} | {pool.Process ?? "-"} | {pool.Name} | {ViewCells.Known(pool.PoolSize)} | {ViewCells.Known(pool.MaxConnections)} | {pool.CheckedOut} | {ViewCells.Known(pool.Overflow)} | {ViewCells.Known(pool.Idle)} | {ViewCells.Known(pool.Waiting)} | {pool.Timeouts} | {ViewCells.Known(pool.ConnectFailures)} | {pool.Leaks} |"
                : $"| {pool.Endpoint} | - | not read: {pool.Error} | | | | | | | | | |");
        }

        foreach (var pool in report.Pools.Where(p => p.Holders.Count > 0))
        {
            output.WriteLine();
            output.WriteLine($"Oldest holders of {pool.Name} ({pool.Endpoint}):");
            foreach (var holder in Oldest(pool))
            {
                output.WriteLine($"- {Holder(holder)}");
            }
        }
    }

    private static IEnumerable<AppHolder> Oldest(AppPool pool) => pool.Holders.OrderByDescending(h => h.AgeSeconds).Take(HoldersShown);

    private static string Holder(AppHolder h) => string.Create(
        CultureInfo.InvariantCulture,
        $"backend PID {(h.BackendPid > 0 ? h.BackendPid.ToString(CultureInfo.InvariantCulture) : "?")}, held {ViewCells.Age(h.AgeSeconds)}{(h.State is null ? string.Empty : $", {h.State}")}, at {h.CallSite}{(h.Leaked ? ", leak suspected" : string.Empty)}");

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
