using PgMedic.Core.Diagnosis;
using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Activity;

/// <summary>Some rows of a pane, and how many there were in all.</summary>
public sealed record Pane<T>(IReadOnlyList<T> Rows, int Total)
{
    public int NotShown => Total - Rows.Count;
}

/// <summary>A head blocker (null when it is not in the snapshot) and the sessions queued behind it.</summary>
/// <param name="LongestWait">The longest a waiter has been running its blocked statement.</param>
public sealed record BlockingEntry(int HeadPid, SessionInfo? Head, IReadOnlyList<int> WaiterPids, TimeSpan? LongestWait);

/// <summary>
/// One screen of <c>pgmedic top</c>, worked out from a snapshot with no IO: usage of usable slots by
/// state, then the panes an on-call engineer reads in order — what is running (longest first), what
/// holds a transaction open doing nothing (longest first), and who blocks whom.
/// </summary>
public sealed record TopFrame(
    DateTimeOffset TakenAt,
    string ServerVersion,
    Usage Usage,
    Pane<SessionInfo> Running,
    Pane<SessionInfo> IdleInTransaction,
    Pane<BlockingEntry> Blocking,
    int CollectorPid,
    double CollectMilliseconds)
{
    public const int DefaultRowsPerPane = 10;

    public static TopFrame From(Snapshot snapshot, int rowsPerPane = DefaultRowsPerPane)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentOutOfRangeException.ThrowIfNegative(rowsPerPane);
        var now = snapshot.TakenAt;
        var clients = snapshot.ClientBackends.ToList();

        var running = clients
            .Where(s => s.State == SessionStates.Active)
            .OrderByDescending(s => s.QueryAge(now) ?? TimeSpan.Zero)
            .ThenBy(s => s.Pid)
            .ToList();
        var idleInTransaction = clients
            .Where(s => SessionStates.IsIdleInTransaction(s.State))
            .OrderByDescending(s => s.TransactionAge(now) ?? TimeSpan.Zero)
            .ThenBy(s => s.Pid)
            .ToList();
        var byPid = snapshot.Sessions.GroupBy(s => s.Pid).ToDictionary(g => g.Key, g => g.First());
        var blocking = LockGraph.Chains(snapshot.Sessions)
            .Select(chain => new BlockingEntry(
                chain.HeadPid,
                byPid.GetValueOrDefault(chain.HeadPid),
                chain.WaiterPids,
                chain.WaiterPids.Select(pid => byPid.GetValueOrDefault(pid)?.QueryAge(now)).Max()))
            .OrderByDescending(b => b.WaiterPids.Count)
            .ThenByDescending(b => b.LongestWait ?? TimeSpan.Zero)
            .ThenBy(b => b.HeadPid)
            .ToList();

        return new TopFrame(
            now,
            snapshot.Server.Version,
            Usage.From(snapshot),
            Take(running, rowsPerPane),
            Take(idleInTransaction, rowsPerPane),
            Take(blocking, rowsPerPane),
            snapshot.CollectorPid,
            snapshot.CollectMilliseconds);
    }

    private static Pane<T> Take<T>(List<T> all, int rows) => new(all.Take(rows).ToList(), all.Count);
}
