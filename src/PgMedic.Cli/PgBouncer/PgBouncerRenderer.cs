using System.Globalization;
using PgMedic.Cli.Output;
using PgMedic.Core.PgBouncer;
using Spectre.Console;

namespace PgMedic.Cli.PgBouncer;

/// <summary>The PgBouncer section of <c>pgmedic diagnose --pgbouncer</c>: each pool with both layers side by side.</summary>
internal static class PgBouncerRenderer
{
    public static string Headline(PgBouncerReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Error is not null || report.Settings is not { } s)
        {
            return $"PgBouncer {report.Target}: not readable ({report.Error})";
        }

        var waiting = report.Pools.Sum(p => p.ClientWaiting);
        return Invariant($"PgBouncer {report.Version} {report.Target}: {report.Pools.Count} pool(s), {s.ClientConnections}/{s.MaxClientConn} client connections, {waiting} waiting; pool_mode {s.PoolMode}, default_pool_size {s.DefaultPoolSize}, reserve {s.ReservePoolSize}, max_db_connections {(s.MaxDbConnections == 0 ? "unlimited" : s.MaxDbConnections.ToString(CultureInfo.InvariantCulture))}");
    }

    public static void RenderTable(PgBouncerReport report, IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(console);
        console.WriteLine();
        console.MarkupLine($"[bold]{Terminal.Safe(Headline(report))}[/]");
        if (report.Pools.Count == 0)
        {
            return;
        }

        var table = new FittedTable(
            new FittedColumn("pool"),
            new FittedColumn("mode", ColumnFit.Keep),
            new FittedColumn("size", ColumnFit.Keep, RightAligned: true),
            new FittedColumn("cl active", ColumnFit.Keep, RightAligned: true),
            new FittedColumn("cl waiting", ColumnFit.Keep, RightAligned: true),
            new FittedColumn("maxwait", ColumnFit.Keep, RightAligned: true),
            new FittedColumn("sv active", ColumnFit.Keep, RightAligned: true),
            new FittedColumn("sv idle", ColumnFit.Keep, RightAligned: true),
            new FittedColumn("sv used", ColumnFit.Keep, RightAligned: true),
            new FittedColumn("│ backends on the server", ColumnFit.Wrap))
        {
            Title = "pools: PgBouncer | PostgreSQL",
        };
        foreach (var pool in report.Pools)
        {
            table.AddRow(
                $"{pool.Database}/{pool.User}",
                pool.PoolMode,
                Count(pool.PoolSize),
                Count(pool.ClientActive),
                pool.ClientWaiting > 0 ? new FittedCell(pool.ClientWaiting.ToString(CultureInfo.InvariantCulture), "yellow") : "-",
                pool.MaxWaitSeconds > 0 ? Invariant($"{pool.MaxWaitSeconds:0.###} s") : "-",
                Count(pool.ServerActive),
                Count(pool.ServerIdle),
                Count(pool.ServerUsed),
                "│ " + States(pool));
        }

        table.Write(console);
    }

    public static void RenderMarkdown(PgBouncerReport report, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine();
        output.WriteLine($"#### {Headline(report)}");
        if (report.Pools.Count == 0)
        {
            return;
        }

        output.WriteLine();
        output.WriteLine("| pool | mode | size | cl active | cl waiting | maxwait | sv active | sv idle | sv used | backends on the server |");
        output.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var pool in report.Pools)
        {
            output.WriteLine(Invariant($"| {pool.Database}/{pool.User} | {pool.PoolMode} | {pool.PoolSize} | {pool.ClientActive} | {pool.ClientWaiting} | {pool.MaxWaitSeconds:0.###} s | {pool.ServerActive} | {pool.ServerIdle} | {pool.ServerUsed} | {States(pool)} |"));
        }
    }

    private static string States(PoolLayers pool) =>
        pool.BackendStates.Count == 0 ? "-" : string.Join(", ", pool.BackendStates.Select(kv => Invariant($"{kv.Key} {kv.Value}")));

    private static string Count(int value) => value == 0 ? "-" : value.ToString(CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
