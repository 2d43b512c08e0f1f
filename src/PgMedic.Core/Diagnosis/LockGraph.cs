using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Diagnosis;

/// <summary>A head blocker and every session waiting behind it, directly or through others.</summary>
public sealed record LockChain(int HeadPid, IReadOnlyList<int> WaiterPids);

/// <summary>Builds lock chains from the <c>pg_blocking_pids()</c> edges of a snapshot.</summary>
public static class LockGraph
{
    public static IReadOnlyList<LockChain> Chains(IReadOnlyList<SessionInfo> sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        var waitersOf = new Dictionary<int, List<int>>();
        var waiting = new HashSet<int>();
        foreach (var session in sessions.Where(s => s.BlockedBy.Count > 0))
        {
            waiting.Add(session.Pid);
            foreach (var blocker in session.BlockedBy)
            {
                if (!waitersOf.TryGetValue(blocker, out var list))
                {
                    waitersOf[blocker] = list = [];
                }

                list.Add(session.Pid);
            }
        }

        // A head blocks others and waits for nobody. In a deadlock cycle there is no head; the
        // server's deadlock detector breaks those on its own within deadlock_timeout.
        var heads = waitersOf.Keys.Where(pid => !waiting.Contains(pid)).OrderBy(pid => pid);
        var chains = new List<LockChain>();
        foreach (var head in heads)
        {
            var seen = new HashSet<int> { head };
            var order = new List<int>();
            var queue = new Queue<int>([head]);
            while (queue.TryDequeue(out var pid))
            {
                foreach (var waiter in waitersOf.GetValueOrDefault(pid, []))
                {
                    if (seen.Add(waiter))
                    {
                        order.Add(waiter);
                        queue.Enqueue(waiter);
                    }
                }
            }

            chains.Add(new LockChain(head, order));
        }

        return chains;
    }
}
