using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Diagnosis.Rules;

/// <summary>
/// Client queries active for longer than a threshold. Only client backends: walsenders, autovacuum
/// and other background processes run "forever" by design (check_postgres #139, #176; PgHero). A lock
/// waiter is not one of them: it waits rather than runs, cancelling it frees nothing, and the
/// blocking-chain finding already names the head to act on — so waiters are only mentioned, as
/// waiting behind that head.
/// </summary>
internal sealed class LongRunningQueryRule : IDiagnosisRule
{
    public IEnumerable<Finding> Evaluate(DiagnosisContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        var now = context.Now;
        var overdue = context.Snapshot.ClientBackends
            .Where(s => s.State == SessionStates.Active && s.QueryAge(now) >= options.LongQueryWarning)
            .OrderByDescending(s => s.QueryAge(now))
            .ToList();
        var running = overdue.Where(s => !s.IsLockWaiter).ToList();
        if (running.Count == 0)
        {
            yield break;
        }

        var longest = running[0];
        var evidence = running.Take(10)
            .Select(s => $"pid {s.Pid} {SessionGroups.ApplicationOf(s)} ({s.User}@{s.Database}) running {Text.Age(s.QueryAge(now))}{(s.WaitEventType is null ? string.Empty : $", waiting on {s.WaitEventType}/{s.WaitEvent}")}: {Text.Query(s.Query)}")
            .ToList();
        evidence.AddRange(WaitingBehind(overdue.Where(s => s.IsLockWaiter).ToList(), context.Snapshot.Sessions));
        yield return new Finding(
            FindingCodes.LongRunningQuery,
            longest.QueryAge(now) >= options.LongQueryCritical ? Severity.Critical : Severity.Warning,
            $"{running.Count} quer{(running.Count == 1 ? "y" : "ies")} running for over {Text.Age(options.LongQueryWarning)} (longest {Text.Age(longest.QueryAge(now))}: pid {longest.Pid}, {SessionGroups.ApplicationOf(longest)})",
            evidence,
            running.Select(s => s.Pid).ToList(),
            RunbookStep.IdentifyConnectionLeaks,
            Fix.Run(FixVerb.Cancel, new FixOptions { RunningFor = Text.Age(options.LongQueryWarning) }));
    }

    /// <summary>"not counted: 2 session(s) waiting behind pid 4242 (pids 4243, 4244) — see blocking-chain".</summary>
    private static IEnumerable<string> WaitingBehind(IReadOnlyList<SessionInfo> waiters, IReadOnlyList<SessionInfo> sessions)
    {
        if (waiters.Count == 0)
        {
            yield break;
        }

        var headOf = LockGraph.Chains(sessions)
            .SelectMany(chain => chain.WaiterPids.Select(pid => (pid, chain.HeadPid)))
            .GroupBy(x => x.pid)
            .ToDictionary(g => g.Key, g => g.First().HeadPid);
        foreach (var group in waiters.GroupBy(w => headOf.TryGetValue(w.Pid, out var head) ? head : (int?)null).OrderBy(g => g.Key))
        {
            var behind = group.Key is { } head ? $"waiting behind pid {head}" : "waiting on a lock (in a deadlock the server breaks itself)";
            yield return $"not counted: {group.Count()} session(s) {behind} (pids {Text.Pids(group.Select(w => w.Pid))}) — see {FindingCodes.BlockingChain}";
        }
    }
}
