using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Diagnosis.Rules;

/// <summary>
/// Lock chains: the head blocker (blocks others, waits for nobody), every session queued behind it,
/// and how long they have waited (from <c>pg_locks.waitstart</c> on PostgreSQL 14+, else from the
/// waiting statement's start, which the evidence then says). Acting on the head frees the whole chain,
/// so the fix names the head's PID and the application call site is the head's holder's: the waiters
/// only queue behind it. The evidence draws the chain as a tree, each waiter under the session it waits for.
/// </summary>
internal sealed class BlockingChainRule : IDiagnosisRule
{
    private const int TreeLines = 12;

    public IEnumerable<Finding> Evaluate(DiagnosisContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        var now = context.Now;
        var snapshot = context.Snapshot;
        var sessions = snapshot.Sessions.GroupBy(s => s.Pid).ToDictionary(g => g.Key, g => g.First());
        foreach (var tree in LockGraph.Trees(snapshot.Sessions))
        {
            sessions.TryGetValue(tree.Pid, out var head);
            var waiterPids = tree.WaiterPids().ToList();
            var waiters = waiterPids.Select(pid => sessions[pid]).ToList();
            var longestWait = waiters.Max(w => w.LockWaitAge(now) ?? TimeSpan.Zero);
            var severity = longestWait >= options.BlockingCritical ? Severity.Critical
                : longestWait >= options.BlockingWarning ? Severity.Warning
                : Severity.Info;
            var headText = head is null
                ? $"pid {tree.Pid} (not visible)"
                : $"pid {head.Pid} {SessionGroups.ApplicationOf(head)} ({head.User}@{head.Database}) {head.State ?? "?"} for {Text.Age(head.StateAge(now))}, transaction open {Text.Age(head.TransactionAge(now))}; query: {Text.Query(head.Query)}";
            var evidence = new List<string> { "head: " + headText };
            var drawn = LockGraph.Draw(tree).Skip(1).ToList();
            evidence.AddRange(drawn.Take(TreeLines).Select(line => line.Prefix + Waiter(sessions[line.Node.Pid], line.Node, now)));
            if (drawn.Count > TreeLines)
            {
                evidence.Add($"… and {drawn.Count - TreeLines} more waiting");
            }

            if (LockWaitClocks.Caveat(snapshot.LockWaitClock) is { } caveat)
            {
                evidence.Add(caveat);
            }

            yield return new Finding(
                FindingCodes.BlockingChain,
                severity,
                $"pid {tree.Pid} blocks {waiters.Count} session(s); the longest has waited {Text.Age(longestWait)}",
                evidence,
                [tree.Pid, .. waiterPids],
                RunbookStep.IdentifyConnectionLeaks,
                Fix.Run(FixVerb.Terminate, new FixOptions { Blocking = true, Pid = tree.Pid, WaitingFor = Text.Age(options.BlockingWarning) }),
                tree.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                CallSitePids = [tree.Pid],
            };
        }
    }

    // "waiting 40s: pid 4243 checkout on transactionid (2 behind it): UPDATE orders …"
    private static string Waiter(SessionInfo waiter, LockTreeNode node, DateTimeOffset now) =>
        $"waiting {Text.Age(waiter.LockWaitAge(now))}: pid {waiter.Pid} {SessionGroups.ApplicationOf(waiter)} on {waiter.WaitEvent}{(node.Behind > 0 ? $" ({node.Behind} behind it)" : string.Empty)}: {Text.Query(waiter.Query)}";
}
