using System.Globalization;
using PgMedic.Cli.Output;
using PgMedic.Core.Capacity;
using Spectre.Console;

namespace PgMedic.Cli.Capacity;

internal static class AdviseRenderer
{
    public static void Render(AdviseReport report, OutputFormat format, CliContext context) =>
        Formats.Write(report, format, context, CliJsonContext.Dialect.AdviseReport, RenderMarkdown, RenderTable);

    /// <summary>The first line: do the pools fit, in numbers.</summary>
    public static string Verdict(CapacityAdvice advice)
    {
        ArgumentNullException.ThrowIfNull(advice);
        var d = advice.Demand;
        return advice.CanExhaust
            ? Invariant($"{d.Workers} workers × (pool {d.PoolSize} + overflow {d.MaxOverflow}) = {d.MaxConnections} connections > {advice.Slots.ForDeployment} slots left for them: the pools can exhaust the server")
            : Invariant($"{d.Workers} workers × (pool {d.PoolSize} + overflow {d.MaxOverflow}) = {d.MaxConnections} connections ≤ {advice.Slots.ForDeployment} slots left for them: the pools fit");
    }

    public static string PoolLine(PoolAdvice pool) => Invariant(
        $"pool_size {pool.PoolSize}, max_overflow {pool.MaxOverflow} (at most {pool.PoolSize + pool.MaxOverflow} per worker), pool_timeout {pool.PoolTimeoutSeconds} s, pool_recycle {pool.PoolRecycleSeconds} s, pre-ping on, connect timeout {pool.ConnectTimeoutSeconds} s, command timeout {pool.CommandTimeoutSeconds} s");

    public static string PoolerLine(PoolerAdvice pooler) => Invariant(
        $"pool_mode {pooler.PoolMode}, default_pool_size {pooler.DefaultPoolSize}, reserve_pool_size {pooler.ReservePoolSize}, max_db_connections {pooler.MaxDbConnections}, max_client_conn {pooler.MaxClientConn}, query_wait_timeout {pooler.QueryWaitTimeoutSeconds} s, idle_transaction_timeout {pooler.IdleTransactionTimeoutSeconds} s");

    private static void RenderTable(AdviseReport report, IAnsiConsole console)
    {
        var advice = report.Advice;
        var colour = advice.CanExhaust ? "yellow" : "green";
        console.MarkupLine($"[bold {colour}]{(advice.CanExhaust ? "CAN EXHAUST" : "FITS")}[/] {Terminal.Safe(report.Target)} — {Terminal.Safe(Verdict(advice))}");
        var s = advice.Slots;
        console.MarkupLine(Terminal.Safe(Invariant($"slots    max_connections {s.MaxConnections} − superuser_reserved {s.SuperuserReserved} − reserved {s.Reserved} = {s.Usable} usable; − {s.AdminHeadroom} headroom − {s.OtherClients} other clients = {s.ForDeployment} for the deployment")));
        var o = advice.Observed;
        console.MarkupLine(Terminal.Safe(Invariant($"observed {o.PeakClients} connected, {o.PeakActive} active, {o.IdleInTransaction} idle in transaction, {o.IdleRatio * 100:0} % idle ({o.Source})")));
        if (advice.History is { } history)
        {
            console.MarkupLine((advice.RunsOutSoon ? "[bold yellow]trend[/]    " : "[bold]trend[/]    ") + Terminal.Safe(TrendLine(history)));
        }

        console.WriteLine();
        console.MarkupLine(advice.Pool.Feasible
            ? $"[bold]per worker[/] {Terminal.Safe(PoolLine(advice.Pool))}"
            : "[bold red]per worker[/] the server cannot give every worker a connection: use PgBouncer (below), fewer workers, or more max_connections");
        console.MarkupLine(advice.Pooler.Recommended
            ? $"[bold]PgBouncer[/] [yellow]recommended[/]: {Terminal.Safe(PoolerLine(advice.Pooler))}"
            : "[bold]PgBouncer[/] not needed: the pools fit the server");

        var table = new FittedTable(
            new FittedColumn("setting", ColumnFit.Keep),
            new FittedColumn("now", ColumnFit.Keep),
            new FittedColumn("set to", ColumnFit.Keep),
            new FittedColumn("why", ColumnFit.Wrap))
        {
            Title = "server settings",
        };
        foreach (var setting in advice.Server)
        {
            table.AddRow(setting.Name, setting.Current, setting.Recommended ?? "keep", setting.Reason);
        }

        table.Write(console);
        foreach (var setting in advice.Server.Where(x => x.Sql is not null))
        {
            console.MarkupLine($"  [bold]{Terminal.Safe(setting.Sql)}[/]");
        }

        console.WriteLine();
        console.MarkupLine("[bold]reasoning[/]");
        var step = 1;
        foreach (var line in advice.Reasoning)
        {
            console.MarkupLine(Terminal.Safe(Invariant($"  {step++}. {line}")));
        }

        console.WriteLine();
        console.MarkupLine("[dim]settings ready to paste:[/] pgmedic advise … --emit env|npgsql|sqlalchemy|hikari|pgbouncer, or a platform's commands: --emit railway|heroku|render|fly|kubernetes|systemd --service NAME");
    }

    private static void RenderMarkdown(AdviseReport report, TextWriter output)
    {
        var advice = report.Advice;
        output.WriteLine($"### PgMedic capacity advice: **{(advice.CanExhaust ? "CAN EXHAUST" : "FITS")}** — `{report.Target}`");
        output.WriteLine();
        output.WriteLine(Verdict(advice));
        output.WriteLine();
        var s = advice.Slots;
        output.WriteLine(Invariant($"- Slots: max_connections {s.MaxConnections} − superuser_reserved {s.SuperuserReserved} − reserved {s.Reserved} = {s.Usable} usable; − {s.AdminHeadroom} headroom − {s.OtherClients} other clients = **{s.ForDeployment}** for the deployment"));
        output.WriteLine(Invariant($"- Observed: {advice.Observed.PeakClients} connected, {advice.Observed.PeakActive} active, {advice.Observed.IdleRatio * 100:0} % idle ({advice.Observed.Source})"));
        if (advice.History is { } history)
        {
            output.WriteLine($"- Trend: {TrendLine(history)}");
            output.WriteLine();
            output.WriteLine("| application | peak | 99th percentile | peak busy | 99th percentile busy |");
            output.WriteLine("|---|---:|---:|---:|---:|");
            foreach (var app in history.ByApplication)
            {
                output.WriteLine(Invariant($"| {app.Application} | {app.Peak} | {app.P99:0.#} | {app.PeakBusy} | {app.P99Busy:0.#} |"));
            }

            output.WriteLine();
            output.WriteLine("| hour (UTC) | peak | 99th percentile |");
            output.WriteLine("|---|---:|---:|");
            foreach (var hour in history.ByHour)
            {
                output.WriteLine(Invariant($"| {hour.HourUtc:00}:00 | {hour.Peak} | {hour.P99:0.#} |"));
            }
        }

        output.WriteLine(advice.Pool.Feasible ? $"- Per worker: {PoolLine(advice.Pool)}" : "- Per worker: the server cannot give every worker a connection");
        output.WriteLine(advice.Pooler.Recommended ? $"- PgBouncer (recommended): {PoolerLine(advice.Pooler)}" : "- PgBouncer: not needed");
        output.WriteLine();
        output.WriteLine("| setting | now | set to | why |");
        output.WriteLine("|---|---|---|---|");
        foreach (var setting in advice.Server)
        {
            output.WriteLine($"| {setting.Name} | {setting.Current} | {setting.Recommended ?? "keep"} | {setting.Reason.Replace("|", "\\|", StringComparison.Ordinal)} |");
        }

        output.WriteLine();
        output.WriteLine("#### Reasoning");
        var step = 1;
        foreach (var line in advice.Reasoning)
        {
            output.WriteLine(Invariant($"{step++}. {line}"));
        }
    }

    /// <summary>The history's trend in one line: how fast the peaks grow and when usable slots run out at it.</summary>
    public static string TrendLine(CapacityHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        return history.Trend switch
        {
            null => Invariant($"peak {history.Peak} of {history.UsableSlots} usable slots (99th percentile {history.P99:0.#}); too little history for a trend"),
            { DaysUntilFull: { } d, FullAt: { } at } t => Invariant($"peak {history.Peak} of {history.UsableSlots} usable slots (99th percentile {history.P99:0.#}); the peaks grow {t.PerDay:0.##} a day: usable slots run out in {d:0.#} days (around {at:yyyy-MM-dd})"),
            var t => Invariant($"peak {history.Peak} of {history.UsableSlots} usable slots (99th percentile {history.P99:0.#}); the peaks do not grow ({t.PerDay:0.##} a day)"),
        };
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
