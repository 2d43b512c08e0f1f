using Npgsql;
using PgMedic.Core.Activity;
using PgMedic.Core.Remediation;
using PgMedic.Core.Snapshots;
using PgMedic.Postgres.Collection;
using PgMedic.Postgres.Remediation;

namespace PgMedic.Cli.Top;

/// <summary>
/// The live view: refresh every interval (unless paused) over the one collector connection, draw, and
/// answer keys in between; the keys that act go through <see cref="TopActions"/>. A refresh reads query
/// text only of sessions that can be drawn (not idle), cut on the server to the screen's width, and the
/// screen is redrawn only where it changed.
/// </summary>
internal sealed class TopConsole(
    Func<SnapshotScope, CancellationToken, Task<Snapshot>> collect,
    TopState state,
    TopViewContext view,
    TopActions? actions,
    FrameCsv? csv,
    ITopTerminal terminal,
    TimeProvider time)
{
    /// <summary>F1–F3 as in pg_activity (running, waiting, blocking), then PgMedic's own two views.</summary>
    private static readonly Dictionary<ConsoleKey, TopViewKind> FunctionKeyViews = new()
    {
        [ConsoleKey.F1] = TopViewKind.Running,
        [ConsoleKey.F2] = TopViewKind.Waiting,
        [ConsoleKey.F3] = TopViewKind.Blocking,
        [ConsoleKey.F4] = TopViewKind.IdleInTransaction,
        [ConsoleKey.F5] = TopViewKind.LockTree,
    };

    private static readonly TimeSpan[] Intervals = [.. new[] { 0.5, 1, 2, 3, 4, 5 }.Select(TimeSpan.FromSeconds)];

    private Snapshot? _snapshot;
    private TopFrame? _frame;
    private (long Transactions, DateTimeOffset At)? _counted;
    private double? _tps;
    private TopScreen? _screen;
    private (int Width, int Height) _size;

    /// <summary>Frames collected so far.</summary>
    public int Frames { get; private set; }

    /// <summary>Runs until <c>q</c> (returns) or cancellation (throws).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var next = time.GetUtcNow();
        while (true)
        {
            if (!state.Paused && time.GetUtcNow() >= next)
            {
                await RefreshAsync(cancellationToken).ConfigureAwait(false);
                next = time.GetUtcNow() + state.Interval;
            }

            Draw();
            var key = await NextKeyAsync(state.Paused ? null : next, cancellationToken).ConfigureAwait(false);
            if (key is { } pressed)
            {
                switch (await HandleAsync(pressed, cancellationToken).ConfigureAwait(false))
                {
                    case KeyOutcome.Quit:
                        return;
                    case KeyOutcome.Refresh:
                        next = time.GetUtcNow();
                        break;
                }
            }
        }
    }

    private enum KeyOutcome
    {
        Redraw,
        Refresh,
        Quit,
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            var scope = new SnapshotScope
            {
                QueryText = csv is null ? QueryTextScope.NotIdle : QueryTextScope.All,
                MaxQueryLength = csv is null ? Math.Max(_size.Width, terminal.Size.Width) : SnapshotCollector.DefaultMaxQueryLength,
                Counters = true,
            };
            _snapshot = await collect(scope, cancellationToken).ConfigureAwait(false);
            Frames++;
            state.Error = null;
            if (_snapshot.Counters is { } counters)
            {
                if (_counted is { } before && _snapshot.TakenAt > before.At)
                {
                    _tps = Math.Max(0, counters.Transactions - before.Transactions) / (_snapshot.TakenAt - before.At).TotalSeconds;
                }

                _counted = (counters.Transactions, _snapshot.TakenAt);
            }

            csv?.Append(_snapshot, state.Query.Filter);
            Rebuild();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            state.Error = ex.Message.ReplaceLineEndings(" ");
        }
    }

    private void Rebuild()
    {
        if (_snapshot is not null)
        {
            _frame = TopFrame.From(_snapshot, state.Query) with { TransactionsPerSecond = _tps };
        }
    }

    private void Draw()
    {
        _size = terminal.Size;
        _screen = TopLayout.Build(_frame, state, view, _size.Width, _size.Height);
        if (FixCursor(_screen.Pids))
        {
            _screen = TopLayout.Build(_frame, state, view, _size.Width, _size.Height);
        }

        terminal.Draw(_screen, _size.Width, _size.Height);
    }

    /// <summary>Keeps the cursor on a drawn session: its own while it is there, else the one now in its place.</summary>
    private bool FixCursor(IReadOnlyList<int> pids)
    {
        if (pids.Count == 0)
        {
            var had = state.CursorPid is not null;
            state.CursorPid = null;
            return had;
        }

        if (state.CursorPid is { } pid)
        {
            for (var i = 0; i < pids.Count; i++)
            {
                if (pids[i] == pid)
                {
                    state.CursorIndex = i;
                    return false;
                }
            }
        }

        state.CursorIndex = Math.Clamp(state.CursorIndex, 0, pids.Count - 1);
        state.CursorPid = pids[state.CursorIndex];
        return true;
    }

    /// <summary>Waits for a key until <paramref name="until"/> (null: no limit), redrawing when the terminal is resized.</summary>
    private async Task<ConsoleKeyInfo?> NextKeyAsync(DateTimeOffset? until, CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan? left = until is { } end ? end - time.GetUtcNow() : null;
            if (left is { } l && l <= TimeSpan.Zero)
            {
                return null;
            }

            switch (await terminal.NextAsync(left, cancellationToken).ConfigureAwait(false))
            {
                case null:
                    return null;
                case { Key: { } key }:
                    return key;
                default:
                    Draw();
                    break;
            }
        }
    }

    private async Task<KeyOutcome> HandleAsync(ConsoleKeyInfo key, CancellationToken cancellationToken)
    {
        if (state.Help)
        {
            state.Help = false;
            return KeyOutcome.Redraw;
        }

        if (state.Prompt is not null)
        {
            EditPrompt(key);
            return KeyOutcome.Redraw;
        }

        switch (key.Key)
        {
            case ConsoleKey.UpArrow:
                Move(-1);
                return KeyOutcome.Redraw;
            case ConsoleKey.DownArrow:
                Move(1);
                return KeyOutcome.Redraw;
            case ConsoleKey.PageUp:
                Move(-Page());
                return KeyOutcome.Redraw;
            case ConsoleKey.PageDown:
                Move(Page());
                return KeyOutcome.Redraw;
            case ConsoleKey.Home:
                Move(int.MinValue / 2);
                return KeyOutcome.Redraw;
            case ConsoleKey.End:
                Move(int.MaxValue / 2);
                return KeyOutcome.Redraw;
            case ConsoleKey.Spacebar:
                if (state.CursorPid is { } pid && !state.Tagged.Remove(pid))
                {
                    state.Tagged.Add(pid);
                }

                return KeyOutcome.Redraw;
            case ConsoleKey.Escape:
                state.Tagged.Clear();
                return KeyOutcome.Redraw;
            case ConsoleKey.Tab:
                View(key.Modifiers.HasFlag(ConsoleModifiers.Shift) ? (TopViewKind)(((int)state.View + 5) % 6) : (TopViewKind)(((int)state.View + 1) % 6));
                return KeyOutcome.Redraw;
            case var function when FunctionKeyViews.TryGetValue(function, out var view):
                View(view);
                return KeyOutcome.Redraw;
        }

        switch (key.KeyChar)
        {
            case 'q' or 'Q':
                return KeyOutcome.Quit;
            case 'k':
                Move(-1);
                return KeyOutcome.Redraw;
            case 'j':
                Move(1);
                return KeyOutcome.Redraw;
            case >= '0' and <= '5':
                View((TopViewKind)(key.KeyChar - '0'));
                return KeyOutcome.Redraw;
            case 'K':
                return await ActAsync(RemediationVerb.Terminate, cancellationToken).ConfigureAwait(false);
            case 'C':
                return await ActAsync(RemediationVerb.Cancel, cancellationToken).ConfigureAwait(false);
            case 'p' or 'P':
                state.Paused = !state.Paused;
                return state.Paused ? KeyOutcome.Redraw : KeyOutcome.Refresh;
            case '+':
                state.Interval = Intervals.FirstOrDefault(i => i > state.Interval, Intervals[^1]);
                return KeyOutcome.Redraw;
            case '-':
                state.Interval = Intervals.LastOrDefault(i => i < state.Interval, Intervals[0]);
                return KeyOutcome.Redraw;
            case '?' or 'h':
                state.Help = true;
                return KeyOutcome.Redraw;
            case 'T' or 't':
                Query(state.Query with { Mode = (DurationMode)(((int)state.Query.Mode + 1) % 3) });
                return KeyOutcome.Redraw;
            case 'd':
                Sort(TopSort.Duration);
                return KeyOutcome.Redraw;
            case 's':
                Sort(TopSort.State);
                return KeyOutcome.Redraw;
            case 'a':
                Sort(TopSort.Application);
                return KeyOutcome.Redraw;
            case '/':
                state.Prompt = TopFilterText.Format(state.Query.Filter);
                return KeyOutcome.Redraw;
            default:
                return KeyOutcome.Redraw;
        }
    }

    private void EditPrompt(ConsoleKeyInfo key)
    {
        switch (key.Key)
        {
            case ConsoleKey.Enter:
                if (TopFilterText.TryParse(state.Prompt!, state.Query.Filter, out var filter, out var error))
                {
                    Query(state.Query with { Filter = filter });
                    state.Result = null;
                }
                else
                {
                    state.Result = error;
                    state.ResultStyle = LineStyle.Bad;
                }

                state.Prompt = null;
                return;
            case ConsoleKey.Escape:
                state.Prompt = null;
                return;
            case ConsoleKey.Backspace:
                state.Prompt = state.Prompt!.Length > 0 ? state.Prompt[..^1] : state.Prompt;
                return;
        }

        if (!char.IsControl(key.KeyChar))
        {
            state.Prompt += key.KeyChar;
        }
    }

    private void Move(int delta)
    {
        var pids = _screen?.Pids ?? [];
        if (pids.Count == 0)
        {
            return;
        }

        state.CursorIndex = (int)Math.Clamp((long)state.CursorIndex + delta, 0L, pids.Count - 1L);
        state.CursorPid = pids[state.CursorIndex];
    }

    private int Page() => Math.Max(1, _screen?.RowsPerPane.DefaultIfEmpty(10).Max() ?? 10);

    private void View(TopViewKind view)
    {
        state.View = view;
        state.CursorIndex = 0;
        state.CursorPid = null;
    }

    private void Sort(TopSort sort) =>
        Query(state.Query with { Sort = sort, Reversed = state.Query.Sort == sort && !state.Query.Reversed });

    private void Query(TopQuery query)
    {
        state.Query = query;
        Rebuild();
    }

    private async Task<KeyOutcome> ActAsync(RemediationVerb verb, CancellationToken cancellationToken)
    {
        var key = verb == RemediationVerb.Cancel ? "C" : "K";
        if (state.ReadOnly || actions is null)
        {
            state.Result = $"{key}: refused — top runs --read-only here: nothing is terminated or cancelled from it.";
            state.ResultStyle = LineStyle.Warning;
            return KeyOutcome.Redraw;
        }

        var pids = state.Tagged.Count > 0 ? state.Tagged.Order().ToList() : state.CursorPid is { } pid ? [pid] : [];
        if (pids.Count == 0)
        {
            state.Result = $"{key}: no session under the cursor and none tagged.";
            state.ResultStyle = LineStyle.Warning;
            return KeyOutcome.Redraw;
        }

        state.Result = $"{key}: planning for pid {string.Join(", ", pids)}…";
        state.ResultStyle = LineStyle.Dim;
        Draw();
        var result = await actions.RunAsync(verb, pids, _frame?.Sessions ?? new Dictionary<int, SessionInfo>(), ConfirmAsync, cancellationToken).ConfigureAwait(false);
        state.Dialog = null;
        state.Result = result.Line;
        state.ResultStyle = result.Style;
        if (result.Report?.Outcome == RunOutcome.Executed)
        {
            state.Tagged.Clear();
        }

        return KeyOutcome.Refresh;
    }

    /// <summary>The door's confirmation: the plan in a dialog; Enter runs it, any other key declines.</summary>
    private async Task<Confirmation> ConfirmAsync(ConfirmationRequest request, CancellationToken cancellationToken)
    {
        state.Dialog = TopDialogs.From(request);
        Draw();
        var key = await NextKeyAsync(null, cancellationToken).ConfigureAwait(false);
        state.Dialog = null;
        state.Result = key?.Key == ConsoleKey.Enter ? $"{(request.Verb == RemediationVerb.Cancel ? "C" : "K")}: running…" : state.Result;
        Draw();
        return key?.Key == ConsoleKey.Enter ? Confirmation.Confirmed : Confirmation.Declined;
    }
}
