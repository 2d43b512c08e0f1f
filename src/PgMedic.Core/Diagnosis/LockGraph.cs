using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Diagnosis;

/// <summary>A head blocker and every session waiting behind it, directly or through others.</summary>
public sealed record LockChain(int HeadPid, IReadOnlyList<int> WaiterPids);

/// <summary>A session of a lock tree and the sessions queued directly behind it.</summary>
public sealed record LockTreeNode(int Pid, IReadOnlyList<LockTreeNode> Children)
{
    /// <summary>Every session behind this one, directly or through others.</summary>
    public int Behind => Children.Sum(c => 1 + c.Behind);

    /// <summary>This node's waiters, breadth first (nearest first).</summary>
    public IEnumerable<int> WaiterPids()
    {
        var queue = new Queue<LockTreeNode>(Children);
        while (queue.TryDequeue(out var node))
        {
            yield return node.Pid;
            foreach (var child in node.Children)
            {
                queue.Enqueue(child);
            }
        }
    }
}

/// <summary>One line of a drawn lock tree: the drawing before the PID (<c>├─ </c>, <c>│  └─ </c>) and the node.</summary>
public sealed record LockTreeLine(string Prefix, int Depth, LockTreeNode Node);

/// <summary>Builds lock chains and trees from the <c>pg_blocking_pids()</c> edges of a snapshot.</summary>
public static class LockGraph
{
    public static IReadOnlyList<LockChain> Chains(IReadOnlyList<SessionInfo> sessions) =>
        Trees(sessions).Select(tree => new LockChain(tree.Pid, tree.WaiterPids().ToList())).ToList();

    /// <summary>
    /// One tree per head blocker (a session that blocks others and waits for nobody), heads in PID order.
    /// A waiter blocked by several sessions hangs under the one nearest the head, so each session is drawn once.
    /// </summary>
    public static IReadOnlyList<LockTreeNode> Trees(IReadOnlyList<SessionInfo> sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        var waitersOf = new Dictionary<int, List<int>>();
        var waiting = new HashSet<int>();
        foreach (var session in sessions)
        {
            if (session.BlockedBy.Count == 0)
            {
                continue;
            }

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
        var trees = new List<LockTreeNode>();
        foreach (var head in waitersOf.Keys.Where(pid => !waiting.Contains(pid)).Order())
        {
            var seen = new HashSet<int> { head };
            var children = new Dictionary<int, List<int>>();
            var queue = new Queue<int>([head]);
            while (queue.TryDequeue(out var pid))
            {
                foreach (var waiter in waitersOf.GetValueOrDefault(pid, []).Order())
                {
                    if (seen.Add(waiter))
                    {
                        if (!children.TryGetValue(pid, out var list))
                        {
                            children[pid] = list = [];
                        }

                        list.Add(waiter);
                        queue.Enqueue(waiter);
                    }
                }
            }

            trees.Add(Build(head, children));
        }

        return trees;
    }

    /// <summary>The tree as lines, root first, each child under its parent with <c>├─</c>/<c>└─</c> drawing.</summary>
    public static IEnumerable<LockTreeLine> Draw(LockTreeNode root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var stack = new Stack<(LockTreeNode Node, string Indent, string Prefix, int Depth)>();
        stack.Push((root, string.Empty, string.Empty, 0));
        while (stack.TryPop(out var item))
        {
            yield return new LockTreeLine(item.Prefix, item.Depth, item.Node);
            var children = item.Node.Children;
            for (var i = children.Count - 1; i >= 0; i--)
            {
                var last = i == children.Count - 1;
                stack.Push((children[i], item.Indent + (last ? "   " : "│  "), item.Indent + (last ? "└─ " : "├─ "), item.Depth + 1));
            }
        }
    }

    private static LockTreeNode Build(int pid, Dictionary<int, List<int>> children) =>
        new(pid, children.TryGetValue(pid, out var list) ? list.Select(c => Build(c, children)).ToList() : []);
}
