using System.Globalization;
using System.Text;
using PgMedic.Cli.Output;
using PgMedic.Core.Activity;
using PgMedic.Core.Common;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Snapshots;

namespace PgMedic.Cli.Top;

/// <summary>What the title line says besides the frame: the target (masked) and whether the view is live.</summary>
internal sealed record TopViewContext(string Target, bool Live);

/// <summary>
/// Lays a <see cref="TopFrame"/> out on a screen of a given size, with no IO: four header lines, the panes
/// of the view, the last action's result and the key line. Each pane gets a row budget from the height
/// left (recomputed on every frame and resize); columns are fitted to the width (names cut with an
/// ellipsis, then the least useful columns dropped), the query is the last column and clipped, and no
/// line is ever wider than the screen, so nothing wraps.
/// </summary>
internal static class TopLayout
{
    public const int HeaderLines = 4;
    private const int MarkerWidth = 2;
    private const int ShrinkMinimum = 5;
    private const int QueryMinimum = 16;
    private const int ResultLinesMax = 3;

    /// <summary>The session rows a pane may show in the one frame printed without a terminal.</summary>
    public const int OneFrameRows = 10;

    public static TopScreen Build(TopFrame? frame, TopState state, TopViewContext view, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(view);
        width = Math.Max(20, width);
        height = Math.Max(1, height);
        var lines = new List<ScreenLine>(height);
        var pids = new List<int>();
        var budgets = new List<int>();

        lines.Add(new ScreenLine(Clip(TitleLine(frame, state, view), width), LineStyle.Title));
        if (frame is not null)
        {
            var usage = frame.Usage;
            lines.Add(new ScreenLine(UsageLine(frame, width), usage.PercentOfUsable >= 90 ? LineStyle.Bad : usage.PercentOfUsable >= 80 ? LineStyle.Warning : LineStyle.Good));
            lines.Add(new ScreenLine(Clip(StatesLine(frame), width)));
            lines.Add(new ScreenLine(Clip(StatusLine(frame, state), width), LineStyle.Dim));
        }

        var bottom = BottomLines(state, view, width);
        var room = Math.Max(0, height - lines.Count - bottom.Count);
        if (state.Dialog is { } dialog)
        {
            lines.AddRange(DialogLines(dialog, width).Take(room));
        }
        else if (state.Help)
        {
            lines.AddRange(HelpLines(width).Take(room));
        }
        else if (frame is not null)
        {
            var panes = PanesOf(frame, state);
            var rows = Budget(panes, room, view.Live);
            budgets.AddRange(rows);
            var single = panes.Count == 1;
            var body = new List<ScreenLine>();
            var bodyPids = new List<(int Line, int Pid)>();
            for (var i = 0; i < panes.Count; i++)
            {
                DrawPane(panes[i], rows[i], state, width, single, body, bodyPids);
            }

            // On a screen too short for every pane's title, the panes give way to the header and the key line.
            lines.AddRange(body.Take(room));
            pids.AddRange(single ? panes[0].Pids : bodyPids.Where(p => p.Line < room).Select(p => p.Pid));
        }

        while (lines.Count < height - bottom.Count)
        {
            lines.Add(new ScreenLine(string.Empty));
        }

        lines.AddRange(bottom);
        if (lines.Count > height)
        {
            lines.RemoveRange(height, lines.Count - height);
        }

        return new TopScreen(lines, pids, budgets);
    }

    /// <summary>The height the one frame printed without a terminal needs: every pane at up to <see cref="OneFrameRows"/> rows.</summary>
    public static int OneFrameHeight(TopFrame frame, TopState state)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(state);
        return HeaderLines + 2 + PanesOf(frame, state).Sum(p => 2 + Math.Clamp(p.Count, 1, OneFrameRows));
    }

    /// <summary>
    /// <c>12/37 usable slots (32.4 %) · 25 left · max_connections 40</c>; a range (<c>12–15/37</c>) when this
    /// role cannot see every session's type.
    /// </summary>
    public static string UsageText(Usage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var range = usage.Exact ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" · {usage.UnclassifiedSessions} of other roles' sessions may be background workers (grant pg_monitor to tell)");
        return string.Create(CultureInfo.InvariantCulture, $"{usage.InUse()}/{usage.UsableSlots} usable slots ({usage.Percentage()} %) · {usage.Left()} left · max_connections {usage.MaxConnections}{range}");
    }

    /// <summary><c>states active 3 · idle 5 · idle in transaction 2 · background 6</c>.</summary>
    public static string StatesLine(TopFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var states = frame.Usage.ByState.Select(kv => $"{kv.Key} {kv.Value.ToString(CultureInfo.InvariantCulture)}")
            .Append($"background {frame.Usage.OtherBackends.ToString(CultureInfo.InvariantCulture)}");
        return "states " + string.Join(" · ", states);
    }

    /// <summary>A bar of <paramref name="width"/> cells: full to the lower end of the range, shaded to its upper end, marks at 80 % and 90 %.</summary>
    public static string Bar(double lowPercent, double highPercent, int width)
    {
        var low = (int)Math.Round(Math.Clamp(lowPercent, 0, 100) / 100 * width);
        var high = (int)Math.Round(Math.Clamp(highPercent, 0, 100) / 100 * width);
        var chars = new char[width];
        for (var i = 0; i < width; i++)
        {
            chars[i] = i < low ? '█' : i < high ? '▒' : i == width * 8 / 10 || i == width * 9 / 10 ? '┊' : '░';
        }

        return new string(chars);
    }

    private static string TitleLine(TopFrame? frame, TopState state, TopViewContext view)
    {
        var parts = new List<string> { "pgmedic top" };
        if (frame is not null)
        {
            if (frame.Uptime is { } up)
            {
                parts.Add("up " + Duration.Format(up));
            }

            if (frame.TransactionsPerSecond is { } tps)
            {
                parts.Add("tps " + tps.ToString(tps >= 100 ? "0" : "0.#", CultureInfo.InvariantCulture));
            }

            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{frame.TakenAt:HH:mm:ss} UTC"));
            parts.Add("PostgreSQL " + frame.ServerVersion);
        }

        parts.Add(view.Live ? $"every {Duration.Format(state.Interval)}" : "one frame (no terminal)");
        parts.Add(view.Target);
        return string.Join(" · ", parts);
    }

    private static string UsageLine(TopFrame frame, int width)
    {
        var usage = frame.Usage;
        var text = UsageText(usage);
        var barWidth = Math.Clamp(width - "usage ".Length - 1 - text.Length, 10, 40);
        return Clip($"usage {Bar(usage.PercentOfUsableMin, usage.PercentOfUsable, barWidth)} {text}", width);
    }

    private static string StatusLine(TopFrame frame, TopState state)
    {
        var query = state.Query;
        var parts = new List<string>
        {
            "view " + TopQuery.Name(state.View),
            $"sort {TopQuery.Name(query.Sort)}{(query.Reversed ? " (reversed)" : string.Empty)}",
            "T " + TopQuery.Name(query.Mode),
            "filter " + FilterText(query),
        };
        if (state.Paused)
        {
            parts.Insert(0, "PAUSED");
        }

        if (state.ReadOnly)
        {
            parts.Add("read-only");
        }

        if (state.Tagged.Count > 0)
        {
            parts.Add($"{state.Tagged.Count} tagged");
        }

        if (frame.LockWaitClock == LockWaitClock.QueryStart)
        {
            parts.Add("lock waits from query_start (PostgreSQL < 14 has no waitstart)");
        }

        return string.Join(" · ", parts);
    }

    /// <summary>The filters as typed after <c>/</c>: <c>app:checkout user:api</c>, or <c>none</c>.</summary>
    public static string FilterText(TopQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var f = query.Filter;
        var parts = new List<string>();
        if (f.Database is { } d)
        {
            parts.Add("db:" + d);
        }

        if (f.Application is { } a)
        {
            parts.Add("app:" + a);
        }

        if (f.User is { } u)
        {
            parts.Add("user:" + u);
        }

        parts.AddRange(f.States.Select(s => "state:" + s.Replace(' ', '-').Replace("(", string.Empty, StringComparison.Ordinal).Replace(")", string.Empty, StringComparison.Ordinal)));
        if (query.RunningFor is { } r)
        {
            parts.Add("running≥" + Duration.Format(r));
        }

        if (query.IdleFor is { } i)
        {
            parts.Add("idle≥" + Duration.Format(i));
        }

        if (query.WaitingFor is { } w)
        {
            parts.Add("waiting≥" + Duration.Format(w));
        }

        return parts.Count == 0 ? "none" : string.Join(' ', parts);
    }

    private static List<ScreenLine> BottomLines(TopState state, TopViewContext view, int width)
    {
        var lines = new List<ScreenLine>();
        if (state.Error is { } error)
        {
            lines.Add(new ScreenLine(Clip("refresh failed: " + error, width), LineStyle.Bad));
        }

        if (state.Result is { } result)
        {
            lines.AddRange(Wrap(result, width, ResultLinesMax).Select(l => new ScreenLine(l, state.ResultStyle)));
        }

        if (!view.Live)
        {
            return lines;
        }

        lines.Add(state.Prompt is { } prompt
            ? new ScreenLine(Clip("filter (db: app: user: state:, empty clears; Enter applies, Esc cancels)> " + prompt + "_", width), LineStyle.Title)
            : new ScreenLine(Clip("q quit · ? help · ↑↓ move · Space tag · K terminate · C cancel · / filter · Tab view · T mode · d/s/a sort · p pause · +/- refresh", width), LineStyle.Dim));
        return lines;
    }

    private static IEnumerable<ScreenLine> DialogLines(TopDialog dialog, int width)
    {
        yield return new ScreenLine(Clip(dialog.Question, width), LineStyle.Dialog);
        foreach (var line in dialog.Lines)
        {
            foreach (var wrapped in Wrap(line, width, 3))
            {
                yield return new ScreenLine(wrapped);
            }
        }

        yield return new ScreenLine(Clip(dialog.CanRun ? "Enter: run this plan · any other key: do nothing" : "any key: close", width), LineStyle.Dialog);
    }

    private static IEnumerable<ScreenLine> HelpLines(int width)
    {
        string[] help =
        [
            "keys (any key closes this help)",
            "  ↑/↓ j/k  move the cursor          PgUp/PgDn  a page",
            "  Space    tag or untag a session    Esc  untag all",
            "  K        terminate the tagged sessions, or the one under the cursor",
            "  C        cancel their queries (the sessions stay connected)",
            "           both show the plan first (guardrails applied); Enter runs it, any other key declines",
            "  Tab 0-5  views: 0 overview, 1 running, 2 idle in transaction, 3 waiting, 4 blocking, 5 lock tree",
            "  F1 F2 F3 running, waiting, blocking (as in pg_activity)",
            "  d s a    sort by duration, state, application (again: reversed)",
            "  T        duration: query, transaction, backend",
            "  /        filter: db:NAME app:NAME user:NAME state:STATE (exact), empty clears",
            "  p        pause / resume     +/-  refresh slower/faster (0.5s to 5s)",
            "  q        quit",
        ];
        return help.Select((l, i) => new ScreenLine(Clip(l, width), i == 0 ? LineStyle.Heading : LineStyle.Plain));
    }

    // ---------------------------------------------------------------- panes

    private enum Fit
    {
        Keep,
        Shrink,
        Clip,
    }

    /// <param name="Drop">Columns with a higher number are dropped first when even cut names do not fit; 0 never.</param>
    private sealed record Column(string Header, Fit Fit = Fit.Shrink, bool Right = false, int Drop = 0);

    private sealed record Row(int Pid, string[] Cells, bool Root = false);

    /// <param name="Pids">Every session of the pane in order (the cursor may scroll to any of them).</param>
    /// <param name="RowAt">Builds the cells of the row at an index: only rows that are drawn are ever built.</param>
    private sealed record Pane(string Title, Column[] Columns, int Count, List<int> Pids, Func<int, Row> RowAt, string Empty);

    private static List<Pane> PanesOf(TopFrame frame, TopState state) => state.View switch
    {
        TopViewKind.Running => [Running(frame)],
        TopViewKind.IdleInTransaction => [IdleInTransaction(frame)],
        TopViewKind.Waiting => [Waiting(frame)],
        TopViewKind.Blocking => [Blocking(frame)],
        TopViewKind.LockTree => [Tree(frame)],
        _ => [Running(frame), IdleInTransaction(frame), Tree(frame)],
    };

    private static string Mode(TopFrame frame) => TopQuery.Name(frame.Query.Mode);

    private static string Order(TopFrame frame, string natural) => frame.Query.Sort switch
    {
        TopSort.Duration when !frame.Query.Reversed => natural,
        TopSort.Duration => "shortest first",
        var sort => $"by {TopQuery.Name(sort)}{(frame.Query.Reversed ? ", reversed" : string.Empty)}",
    };

    private static Pane Running(TopFrame frame)
    {
        var rows = frame.Running;
        return new Pane(
            $"running ({rows.Count}) — active, {Order(frame, $"longest {Mode(frame)} first")}",
            [new("pid", Fit.Keep, Right: true), new("database", Drop: 2), new("user", Drop: 3), new("application"), new("state", Fit.Keep), new(Mode(frame), Fit.Keep), new("wait", Drop: 1), new("query", Fit.Clip)],
            rows.Count,
            rows.Select(s => s.Pid).ToList(),
            i =>
            {
                var s = rows[i];
                return new Row(s.Pid, [Pid(s.Pid), ViewCells.Text(s.Database), ViewCells.Text(s.User), ViewCells.Text(s.ApplicationName), State(s), ViewCells.Age(frame.Duration(s)), s.IsLockWaiter ? $"{ViewCells.Wait(s.WaitEventType, s.WaitEvent)} {ViewCells.Age(s.LockWaitAge(frame.TakenAt))}" : ViewCells.Wait(s.WaitEventType, s.WaitEvent), ViewCells.Query(s.Query)]);
            },
            "nothing running");
    }

    private static Pane IdleInTransaction(TopFrame frame)
    {
        var rows = frame.IdleInTransaction;
        return new Pane(
            $"idle in transaction ({rows.Count}) — holding a transaction open, {Order(frame, $"longest {Mode(frame)} first")}",
            [new("pid", Fit.Keep, Right: true), new("database", Drop: 2), new("user", Drop: 3), new("application"), new("state", Fit.Keep), new(Mode(frame), Fit.Keep), new("idle for", Fit.Keep), new("last query", Fit.Clip)],
            rows.Count,
            rows.Select(s => s.Pid).ToList(),
            i =>
            {
                var s = rows[i];
                return new Row(s.Pid, [Pid(s.Pid), ViewCells.Text(s.Database), ViewCells.Text(s.User), ViewCells.Text(s.ApplicationName), State(s), ViewCells.Age(frame.Duration(s)), ViewCells.Age(s.StateAge(frame.TakenAt)), ViewCells.Query(s.Query)]);
            },
            "no transaction left open");
    }

    private static Pane Waiting(TopFrame frame)
    {
        var rows = frame.Waiting;
        return new Pane(
            $"waiting ({rows.Count}) — queued for a lock, {Order(frame, $"longest {Mode(frame)} first")}",
            [new("pid", Fit.Keep, Right: true), new("database", Drop: 2), new("user", Drop: 3), new("application"), new("waited", Fit.Keep), new(Mode(frame), Fit.Keep), new("lock", Drop: 1), new("blocked by", Drop: 4), new("query", Fit.Clip)],
            rows.Count,
            rows.Select(s => s.Pid).ToList(),
            i =>
            {
                var s = rows[i];
                return new Row(s.Pid, [Pid(s.Pid), ViewCells.Text(s.Database), ViewCells.Text(s.User), ViewCells.Text(s.ApplicationName), ViewCells.Age(s.LockWaitAge(frame.TakenAt)), ViewCells.Age(frame.Duration(s)), ViewCells.Text(s.WaitEvent), ViewCells.Pids(s.BlockedBy, 3), ViewCells.Query(s.Query)]);
            },
            "no lock waits");
    }

    private static Pane Blocking(TopFrame frame)
    {
        var rows = frame.Blocking;
        return new Pane(
            $"blocking ({rows.Count}) — sessions others wait for, most behind first",
            [new("pid", Fit.Keep, Right: true), new("database", Drop: 2), new("user", Drop: 3), new("application"), new("state", Fit.Keep), new(Mode(frame), Fit.Keep), new("xact", Fit.Keep, Drop: 1), new("blocks", Fit.Keep, Right: true), new("behind", Fit.Keep, Right: true), new("longest wait", Fit.Keep), new("query", Fit.Clip)],
            rows.Count,
            rows.Select(b => b.Session.Pid).ToList(),
            i =>
            {
                var b = rows[i];
                var s = b.Session;
                return new Row(s.Pid, [Pid(s.Pid), ViewCells.Text(s.Database), ViewCells.Text(s.User), ViewCells.Text(s.ApplicationName), State(s), ViewCells.Age(frame.Duration(s)), ViewCells.Age(s.TransactionAge(frame.TakenAt)), N(b.Direct), N(b.Behind), ViewCells.Age(b.LongestWait), ViewCells.Query(s.Query)], Root: !s.IsLockWaiter);
            },
            "nobody waits for a lock");
    }

    private static Pane Tree(TopFrame frame)
    {
        var lines = frame.Trees.SelectMany(e => LockGraph.Draw(e.Tree)).ToList();
        var waiting = frame.Trees.Sum(e => e.Tree.Behind);
        return new Pane(
            $"lock tree ({frame.Trees.Count} chain{(frame.Trees.Count == 1 ? string.Empty : "s")}, {waiting} waiting) — head at the root, each waiter under the session it waits for",
            [new("session", Fit.Keep), new("application"), new("user", Drop: 2), new("state", Fit.Keep), new("age", Fit.Keep), new("xact", Fit.Keep, Drop: 1), new("behind", Fit.Keep, Right: true), new("query", Fit.Clip)],
            lines.Count,
            lines.Select(l => l.Node.Pid).ToList(),
            i =>
            {
                var line = lines[i];
                var pid = line.Node.Pid;
                frame.Sessions.TryGetValue(pid, out var s);
                var root = line.Depth == 0;
                var age = s is null ? "-" : root ? ViewCells.Age(frame.Duration(s)) : "waited " + ViewCells.Age(s.LockWaitAge(frame.TakenAt));
                var behind = line.Node.Behind > 0 ? $"{N(line.Node.Behind)} behind" : string.Empty;
                return new Row(
                    pid,
                    [line.Prefix + Pid(pid), ViewCells.Text(s?.ApplicationName), ViewCells.Text(s?.User), s is null ? "(not visible)" : root ? State(s) : "waiting", age, ViewCells.Age(s?.TransactionAge(frame.TakenAt)), behind, ViewCells.Query(s?.Query)],
                    Root: root);
            },
            "no lock waits");
    }

    /// <summary>
    /// Rows per pane: an equal share of the height left, a pane needing fewer giving the rest to the
    /// others; every pane keeps its title, column header and at least one line.
    /// </summary>
    private static int[] Budget(List<Pane> panes, int room, bool live)
    {
        var need = panes.Select(p => Math.Max(1, live ? p.Count : Math.Min(p.Count, OneFrameRows))).ToArray();
        var rows = new int[panes.Count];
        var left = room - (panes.Count * 2);
        if (left <= 0)
        {
            return rows;
        }

        var open = Enumerable.Range(0, panes.Count).ToList();
        while (left > 0 && open.Count > 0)
        {
            var share = Math.Max(1, left / open.Count);
            foreach (var i in open.ToList())
            {
                var give = Math.Min(Math.Min(share, need[i] - rows[i]), left);
                rows[i] += give;
                left -= give;
                if (rows[i] >= need[i])
                {
                    open.Remove(i);
                }

                if (left == 0)
                {
                    break;
                }
            }
        }

        return rows;
    }

    private static void DrawPane(Pane pane, int rows, TopState state, int width, bool single, List<ScreenLine> lines, List<(int Line, int Pid)> pids)
    {
        var shown = Math.Min(rows, pane.Count);
        var title = shown < pane.Count && shown > 0
            ? pane.Title.Replace(") — ", $", {shown} shown) — ", StringComparison.Ordinal)
            : pane.Title;
        lines.Add(new ScreenLine(Clip(title, width), LineStyle.Heading));
        if (rows <= 0)
        {
            return;
        }

        if (pane.Count == 0)
        {
            lines.Add(new ScreenLine(Clip("  " + pane.Empty, width), LineStyle.Dim));
            lines.Add(new ScreenLine(string.Empty));
            return;
        }

        // One pane scrolls to keep the cursor's session in view.
        var first = 0;
        if (single && state.CursorPid is { } cursor && pane.Pids.IndexOf(cursor) is var at and >= 0 && at >= shown)
        {
            first = at - shown + 1;
        }

        var drawn = Enumerable.Range(first, shown).Select(pane.RowAt).ToList();
        var (columns, widths) = Fitted(pane.Columns, drawn, width - MarkerWidth);
        var header = new StringBuilder(width);
        header.Append(' ', MarkerWidth);
        AppendCells(header, columns.Select(c => pane.Columns[c].Header).ToArray(), columns, widths, pane.Columns);
        lines.Add(new ScreenLine(Clip(header.ToString().TrimEnd(), width), LineStyle.Dim));
        foreach (var row in drawn)
        {
            var line = new StringBuilder(width);
            var isCursor = state.CursorPid == row.Pid;
            var tagged = state.Tagged.Contains(row.Pid);
            line.Append(isCursor ? '>' : ' ').Append(tagged ? '*' : ' ');
            AppendCells(line, columns.Select(c => row.Cells[c]).ToArray(), columns, widths, pane.Columns);
            var style = isCursor ? (tagged ? LineStyle.CursorTagged : LineStyle.Cursor) : tagged ? LineStyle.Tagged : row.Root ? LineStyle.Root : LineStyle.Plain;
            pids.Add((lines.Count, row.Pid));
            lines.Add(new ScreenLine(Clip(line.ToString().TrimEnd(), width), style));
        }
    }

    private static void AppendCells(StringBuilder line, string[] cells, int[] columns, int[] widths, Column[] all)
    {
        for (var i = 0; i < columns.Length; i++)
        {
            if (i > 0)
            {
                line.Append(' ');
            }

            CellText.Fit(line, cells[i], widths[i], all[columns[i]].Right);
        }
    }

    /// <summary>
    /// Which columns are drawn and how wide: every cell whole if it fits; else names cut (widest first, down
    /// to a few cells) so that the query keeps <see cref="QueryMinimum"/> cells; else the least useful
    /// columns dropped one by one. Widths are of the rows drawn only.
    /// </summary>
    private static (int[] Columns, int[] Widths) Fitted(Column[] all, List<Row> rows, int room)
    {
        var active = Enumerable.Range(0, all.Length).ToList();
        while (true)
        {
            var natural = active.Select(c => rows.Select(r => CellText.Width(r.Cells[c])).Append(CellText.Width(all[c].Header)).Max()).ToArray();
            var widths = (int[])natural.Clone();
            var available = room - (active.Count - 1);
            var last = active.Count - 1;
            var clip = all[active[last]].Fit == Fit.Clip;
            var restMinimum = clip ? Math.Min(natural[last], QueryMinimum) : 0;
            int Others() => widths.Take(clip ? last : active.Count).Sum();
            while (Others() + restMinimum > available)
            {
                var widest = -1;
                for (var i = 0; i < (clip ? last : active.Count); i++)
                {
                    if (all[active[i]].Fit == Fit.Shrink && widths[i] > Math.Min(natural[i], ShrinkMinimum) && (widest < 0 || widths[i] > widths[widest]))
                    {
                        widest = i;
                    }
                }

                if (widest < 0)
                {
                    break;
                }

                widths[widest]--;
            }

            if (Others() + restMinimum > available)
            {
                var drop = active.Where(c => all[c].Drop > 0).OrderByDescending(c => all[c].Drop).FirstOrDefault(-1);
                if (drop >= 0)
                {
                    active.Remove(drop);
                    continue;
                }
            }

            if (clip)
            {
                widths[last] = Math.Max(0, Math.Min(natural[last], available - Others()));
            }

            return (active.ToArray(), widths);
        }
    }

    private static string State(SessionInfo s) => s.State switch
    {
        null => "-",
        SessionStates.IdleInTransaction => "idle tx",
        SessionStates.IdleInTransactionAborted => "aborted",
        SessionStates.Active when s.IsLockWaiter => "waiting",
        var state => state,
    };

    private static string Pid(int pid) => pid.ToString(CultureInfo.InvariantCulture);

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Clip(string text, int width) => CellText.Clip(text, width);

    /// <summary>Text broken at spaces into at most <paramref name="max"/> lines of the width, the last one cut.</summary>
    public static IReadOnlyList<string> Wrap(string text, int width, int max)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = new List<string>();
        var rest = CellText.Clean(text);
        while (rest.Length > 0 && lines.Count < max)
        {
            if (CellText.Width(rest) <= width || lines.Count == max - 1)
            {
                lines.Add(CellText.Clip(rest, width));
                break;
            }

            var cut = rest.LastIndexOf(' ', Math.Min(rest.Length - 1, width));
            if (cut <= 0)
            {
                cut = Math.Min(rest.Length, width);
            }

            lines.Add(CellText.Clip(rest[..cut], width));
            rest = rest[cut..].TrimStart();
        }

        return lines;
    }
}
