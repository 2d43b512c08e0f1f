namespace PgMedic.Core.Diagnosis.Rules;

/// <summary>
/// Lock chains: the head blocker (blocks others, waits for nobody), every session queued behind it,
/// and how long they have waited. Acting on the head frees the whole chain, so the fix names the head's
/// PID and the application call site is the head's holder's: the waiters only queue behind it.
/// </summary>
internal sealed class BlockingChainRule : IDiagnosisRule
{
    public IEnumerable<Finding> Evaluate(DiagnosisContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        var now = context.Now;
        var sessions = context.Snapshot.Sessions.ToDictionary(s => s.Pid);
        var chains = LockGraph.Chains(context.Snapshot.Sessions);
        foreach (var chain in chains)
        {
            sessions.TryGetValue(chain.HeadPid, out var head);
            var waiters = chain.WaiterPids.Select(pid => sessions[pid]).ToList();
            var longestWait = waiters.Max(w => w.QueryAge(now) ?? TimeSpan.Zero);
            var severity = longestWait >= options.BlockingCritical ? Severity.Critical
                : longestWait >= options.BlockingWarning ? Severity.Warning
                : Severity.Info;
            var headText = head is null
                ? $"pid {chain.HeadPid} (not visible)"
                : $"pid {head.Pid} {Diagnosis.SessionGroups.ApplicationOf(head)} ({head.User}@{head.Database}) {head.State ?? "?"} for {Text.Age(head.StateAge(now))}, transaction open {Text.Age(head.TransactionAge(now))}; query: {Text.Query(head.Query)}";
            var evidence = new List<string> { "head: " + headText };
            evidence.AddRange(waiters.Take(10).Select(w => $"waiting {Text.Age(w.QueryAge(now))}: pid {w.Pid} {Diagnosis.SessionGroups.ApplicationOf(w)} on {w.WaitEvent}: {Text.Query(w.Query)}"));
            yield return new Finding(
                Diagnosis.FindingCodes.BlockingChain,
                severity,
                $"pid {chain.HeadPid} blocks {waiters.Count} session(s); the longest has waited {Text.Age(longestWait)}",
                evidence,
                [chain.HeadPid, .. chain.WaiterPids],
                RunbookStep.IdentifyConnectionLeaks,
                Fix.Run(FixVerb.Terminate, new FixOptions { Blocking = true, Pid = chain.HeadPid, WaitingFor = Text.Age(options.BlockingWarning) }),
                chain.HeadPid.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                CallSitePids = [chain.HeadPid],
            };
        }
    }
}
