using PgMedic.Core.Diagnosis;
using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Activity;

/// <summary>A session that others wait for: how many wait directly behind it, and how many in all.</summary>
public sealed record BlockerRow(SessionInfo Session, int Direct, int Behind, TimeSpan? LongestWait);

/// <summary>A lock tree with its head's session (null when this role cannot see it) and its longest wait.</summary>
public sealed record LockTreeEntry(LockTreeNode Tree, SessionInfo? Head, TimeSpan? LongestWait);

/// <summary>
/// One screen of <c>pgmedic top</c>, worked out from a snapshot with no IO: usage of usable slots by state,
/// then every pane's rows in order (the layout decides how many fit). Client backends only; PgMedic's own
/// connection is never in a snapshot.
/// </summary>
public sealed record TopFrame(
    DateTimeOffset TakenAt,
    string ServerVersion,
    Usage Usage,
    IReadOnlyList<SessionInfo> Running,
    IReadOnlyList<SessionInfo> IdleInTransaction,
    IReadOnlyList<SessionInfo> Waiting,
    IReadOnlyList<BlockerRow> Blocking,
    IReadOnlyList<LockTreeEntry> Trees,
    IReadOnlyDictionary<int, SessionInfo> Sessions,
    TopQuery Query,
    LockWaitClock LockWaitClock,
    int CollectorPid,
    double CollectMilliseconds)
{
    /// <summary>Transactions per second since the previous frame; null on the first.</summary>
    public double? TransactionsPerSecond { get; init; }

    /// <summary>How long the server has been up; null when not read.</summary>
    public TimeSpan? Uptime { get; init; }

    public static TopFrame From(Snapshot snapshot) => From(snapshot, TopQuery.Default);

    public static TopFrame From(Snapshot snapshot, TopQuery query)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(query);
        var now = snapshot.TakenAt;
        var byPid = new Dictionary<int, SessionInfo>(snapshot.Sessions.Count);
        foreach (var session in snapshot.Sessions)
        {
            byPid.TryAdd(session.Pid, session);
        }

        var shown = snapshot.Sessions.Where(s => s.IsClientBackend && Shown(query.Filter, s)).ToList();
        var running = Sorted(shown.Where(s => s.State == SessionStates.Active && (query.RunningFor is not { } r || s.QueryAge(now) >= r)), query, now);
        var idle = Sorted(shown.Where(s => SessionStates.IsIdleInTransaction(s.State) && (query.IdleFor is not { } i || s.StateAge(now) >= i)), query, now);
        var waiting = Sorted(shown.Where(s => s.IsLockWaiter && (query.WaitingFor is not { } w || s.LockWaitAge(now) >= w)), query, now);

        var trees = LockGraph.Trees(snapshot.Sessions);
        var blockers = new List<BlockerRow>();
        var entries = new List<LockTreeEntry>();
        foreach (var tree in trees)
        {
            var longest = tree.WaiterPids().Select(pid => byPid.GetValueOrDefault(pid)?.LockWaitAge(now)).Max();
            if (query.WaitingFor is { } least && !(longest >= least))
            {
                continue;
            }

            var members = LockGraph.Draw(tree).Select(l => l.Node).ToList();
            if (!members.Any(m => byPid.TryGetValue(m.Pid, out var s) && Shown(query.Filter, s)))
            {
                continue;
            }

            entries.Add(new LockTreeEntry(tree, byPid.GetValueOrDefault(tree.Pid), longest));
            foreach (var node in members.Where(m => m.Children.Count > 0))
            {
                if (byPid.TryGetValue(node.Pid, out var blocker) && Shown(query.Filter, blocker))
                {
                    blockers.Add(new BlockerRow(blocker, node.Children.Count, node.Behind, node.WaiterPids().Select(pid => byPid.GetValueOrDefault(pid)?.LockWaitAge(now)).Max()));
                }
            }
        }

        entries.Sort((a, b) => b.Tree.Behind != a.Tree.Behind ? b.Tree.Behind.CompareTo(a.Tree.Behind)
            : (b.LongestWait ?? TimeSpan.Zero) != (a.LongestWait ?? TimeSpan.Zero) ? (b.LongestWait ?? TimeSpan.Zero).CompareTo(a.LongestWait ?? TimeSpan.Zero)
            : a.Tree.Pid.CompareTo(b.Tree.Pid));
        blockers.Sort((a, b) => b.Behind != a.Behind ? b.Behind.CompareTo(a.Behind) : a.Session.Pid.CompareTo(b.Session.Pid));

        return new TopFrame(
            now,
            snapshot.Server.Version,
            Usage.From(snapshot),
            running,
            idle,
            waiting,
            blockers,
            entries,
            byPid,
            query,
            snapshot.LockWaitClock,
            snapshot.CollectorPid,
            snapshot.CollectMilliseconds)
        {
            Uptime = snapshot.Counters is { } counters ? now - counters.StartedAt : null,
        };
    }

    /// <summary>A session's age in the frame's duration mode.</summary>
    public TimeSpan? Duration(SessionInfo session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return DurationOf(session, Query.Mode, TakenAt);
    }

    public static TimeSpan? DurationOf(SessionInfo session, DurationMode mode, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(session);
        return mode switch
        {
            DurationMode.Query => session.QueryAge(now),
            DurationMode.Transaction => session.TransactionAge(now),
            _ => session.ConnectionAge(now),
        };
    }

    /// <summary>The filter without its minimum age, which top replaces with a minimum per pane.</summary>
    private static bool Shown(ActivityFilter filter, SessionInfo session) =>
        (filter.States.Count == 0 || (session.State is { } state && filter.States.Contains(state)))
        && (filter.Database is null || session.Database == filter.Database)
        && (filter.Application is null || session.ApplicationName == filter.Application)
        && (filter.User is null || session.User == filter.User);

    private static List<SessionInfo> Sorted(IEnumerable<SessionInfo> sessions, TopQuery query, DateTimeOffset now)
    {
        var list = sessions.ToList();
        Comparison<SessionInfo> byDuration = (a, b) =>
            (DurationOf(b, query.Mode, now) ?? TimeSpan.Zero).CompareTo(DurationOf(a, query.Mode, now) ?? TimeSpan.Zero);
        Comparison<SessionInfo> primary = query.Sort switch
        {
            TopSort.State => (a, b) => string.CompareOrdinal(a.State, b.State),
            TopSort.Application => (a, b) => string.CompareOrdinal(a.ApplicationName, b.ApplicationName),
            _ => byDuration,
        };

        // Longest first is the natural reading of durations; names and states read A to Z. Reversed flips either.
        var flip = query.Reversed;
        list.Sort((a, b) =>
        {
            var c = primary(a, b);
            if (c == 0 && query.Sort != TopSort.Duration)
            {
                c = byDuration(a, b);
            }

            c = c == 0 ? a.Pid.CompareTo(b.Pid) : c;
            return flip ? -c : c;
        });
        return list;
    }
}
