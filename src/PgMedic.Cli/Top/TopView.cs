using System.Globalization;
using PgMedic.Cli.Diagnosis;
using PgMedic.Cli.Output;
using PgMedic.Core.Activity;
using PgMedic.Core.Common;
using PgMedic.Core.Snapshots;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace PgMedic.Cli.Top;

/// <summary>What the header says besides the snapshot itself.</summary>
/// <param name="Error">Why the latest refresh failed (the frame shown is then the previous one, or none).</param>
internal sealed record TopViewContext(string Target, TimeSpan Interval, bool Live, string? Error = null);

/// <summary>Turns a <see cref="TopFrame"/> into what <c>pgmedic top</c> draws: no IO, so a frame can be checked as text.</summary>
internal static class TopView
{
    private const int QueryWidth = 80;
    private const int TextWidth = 200;

    public static IRenderable Render(TopFrame? frame, TopViewContext view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var parts = new List<IRenderable>();
        var refresh = view.Live ? $"every {Duration.Format(view.Interval)} · q quits" : "one frame (no terminal)";
        var version = frame is null ? string.Empty : $" · PostgreSQL {frame.ServerVersion}";
        var time = frame is null ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" · {frame.TakenAt:HH:mm:ss} UTC");
        parts.Add(new Markup($"[bold]pgmedic top[/] {Terminal.Safe(view.Target)}{Terminal.Safe(version)}{time} · {Terminal.Safe(refresh)}"));
        if (view.Error is { } error)
        {
            parts.Add(new Markup($"[red]refresh failed:[/] {Terminal.Safe(error)}"));
        }

        if (frame is null)
        {
            return new Rows(parts);
        }

        var usage = frame.Usage;
        var colour = usage.PercentOfUsable >= 90 ? "red" : usage.PercentOfUsable >= 80 ? "yellow" : "green";
        parts.Add(new Markup(
            $"usage  [{colour}]{DiagnoseRenderer.UsageBar(usage.PercentOfUsable)}[/] " + Terminal.Safe(UsageLine(frame))));
        parts.Add(new Markup(Terminal.Safe(StatesLine(frame))));
        parts.Add(RunningPane(frame));
        parts.Add(IdleInTransactionPane(frame));
        parts.Add(BlockingPane(frame));
        return new Rows(parts);
    }

    /// <summary>
    /// <c>12/37 usable slots (32.4 %) · 25 left · max_connections 40</c>; a range (<c>12–15/37</c>) when this
    /// role cannot see every session's type.
    /// </summary>
    public static string UsageLine(TopFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var u = frame.Usage;
        var range = u.Exact ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" · {u.UnclassifiedSessions} of other roles' sessions may be background workers (grant pg_monitor to tell)");
        return string.Create(CultureInfo.InvariantCulture, $"{u.InUse()}/{u.UsableSlots} usable slots ({u.Percentage()} %) · {u.Left()} left · max_connections {u.MaxConnections}{range}");
    }

    /// <summary><c>active 3 · idle 5 · idle in transaction 2 · background 6</c>.</summary>
    public static string StatesLine(TopFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var states = frame.Usage.ByState.Select(kv => $"{kv.Key} {kv.Value.ToString(CultureInfo.InvariantCulture)}")
            .Append($"background {frame.Usage.OtherBackends.ToString(CultureInfo.InvariantCulture)}");
        return "states " + string.Join(" · ", states);
    }

    /// <summary>The frame as plain text, as it is printed without a terminal.</summary>
    public static string Text(TopFrame? frame, TopViewContext view)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = TextWidth;
        console.Write(Render(frame, view));
        return writer.ToString();
    }

    private static IRenderable RunningPane(TopFrame frame)
    {
        var pane = frame.Running;
        var title = $"running ({pane.Total}) — active, longest first";
        var table = Table("pid", "application", "user", "database", "running for", "wait", "query");
        foreach (var s in pane.Rows)
        {
            table.AddRow(Cells(
                Pid(s.Pid),
                ViewCells.Text(s.ApplicationName),
                ViewCells.Text(s.User),
                ViewCells.Text(s.Database),
                ViewCells.Age(s.QueryAge(frame.TakenAt)),
                ViewCells.Wait(s.WaitEventType, s.WaitEvent),
                ViewCells.Query(s.Query, QueryWidth)));
        }

        return Pane(title, table, pane.Total, pane.NotShown, "nothing running");
    }

    private static IRenderable IdleInTransactionPane(TopFrame frame)
    {
        var pane = frame.IdleInTransaction;
        var title = $"idle in transaction ({pane.Total}) — holding a transaction open, oldest first";
        var table = Table("pid", "application", "user", "database", "transaction open", "idle for", "state", "last query");
        foreach (var s in pane.Rows)
        {
            table.AddRow(Cells(
                Pid(s.Pid),
                ViewCells.Text(s.ApplicationName),
                ViewCells.Text(s.User),
                ViewCells.Text(s.Database),
                ViewCells.Age(s.TransactionAge(frame.TakenAt)),
                ViewCells.Age(s.StateAge(frame.TakenAt)),
                s.State == SessionStates.IdleInTransactionAborted ? "aborted" : "open",
                ViewCells.Query(s.Query, QueryWidth)));
        }

        return Pane(title, table, pane.Total, pane.NotShown, "no transaction left open");
    }

    private static IRenderable BlockingPane(TopFrame frame)
    {
        var pane = frame.Blocking;
        var title = $"blocking ({pane.Total} chain(s)) — head blockers and who waits behind them";
        var table = Table("head pid", "application", "state", "transaction open", "waiters", "waiting pids", "longest wait", "head query");
        foreach (var chain in pane.Rows)
        {
            var head = chain.Head;
            table.AddRow(Cells(
                Pid(chain.HeadPid),
                ViewCells.Text(head?.ApplicationName),
                ViewCells.Text(head?.State),
                ViewCells.Age(head?.TransactionAge(frame.TakenAt)),
                chain.WaiterPids.Count.ToString(CultureInfo.InvariantCulture),
                ViewCells.Pids(chain.WaiterPids),
                ViewCells.Age(chain.LongestWait),
                ViewCells.Query(head?.Query, QueryWidth)));
        }

        return Pane(title, table, pane.Total, pane.NotShown, "no lock waits");
    }

    private static Table Table(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in columns)
        {
            table.AddColumn(Terminal.Safe(column));
        }

        return table;
    }

    // A pane is its title line, then its table, or one dim line when it is empty.
    private static IRenderable Pane(string title, Table table, int total, int notShown, string empty)
    {
        var heading = new Markup($"[bold]{Terminal.Safe(title)}[/]");
        if (total == 0)
        {
            return new Rows(heading, new Markup($"  [dim]{Terminal.Safe(empty)}[/]"));
        }

        return notShown > 0
            ? new Rows(heading, table, new Markup($"  [dim]… {notShown} more[/]"))
            : new Rows(heading, table);
    }

    private static string[] Cells(params string[] values) => values.Select(Terminal.Safe).ToArray();

    private static string Pid(int pid) => pid.ToString(CultureInfo.InvariantCulture);
}
