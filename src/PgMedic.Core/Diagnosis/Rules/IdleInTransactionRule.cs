using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Diagnosis.Rules;

/// <summary>
/// Sessions idle inside an open transaction: they hold a slot, their locks and the xmin horizon, and
/// are the classic leak (a transaction begun and never committed).
/// </summary>
internal sealed class IdleInTransactionRule : IDiagnosisRule
{
    public IEnumerable<Finding> Evaluate(DiagnosisContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        var now = context.Now;
        var stuck = context.Snapshot.ClientBackends
            .Where(s => SessionStates.IsIdleInTransaction(s.State) && s.StateAge(now) >= options.IdleInTransactionWarning)
            .OrderByDescending(s => s.StateAge(now))
            .ToList();
        if (stuck.Count == 0)
        {
            yield break;
        }

        var oldest = stuck[0];
        var severity = oldest.StateAge(now) >= options.IdleInTransactionCritical ? Severity.Critical : Severity.Warning;
        var evidence = stuck.Take(10)
            .Select(s => $"pid {s.Pid} {SessionGroups.ApplicationOf(s)} ({s.User}@{s.Database}) idle in transaction for {Text.Age(s.StateAge(now))}, transaction open {Text.Age(s.TransactionAge(now))}; last query: {Text.Query(s.Query)}")
            .ToList();
        var applications = stuck.Select(SessionGroups.ApplicationOf).Distinct().ToList();
        yield return new Finding(
            FindingCodes.IdleInTransaction,
            severity,
            $"{stuck.Count} session(s) idle in an open transaction for over {Text.Age(options.IdleInTransactionWarning)} (oldest {Text.Age(oldest.StateAge(now))}, {string.Join(", ", applications)})",
            evidence,
            stuck.Select(s => s.Pid).ToList(),
            RunbookStep.IdentifyConnectionLeaks,
            Fix.Run(FixVerb.Terminate, new FixOptions { State = "idle-in-transaction", IdleFor = Text.Age(options.IdleInTransactionWarning) }),
            applications.Count == 1 ? applications[0] : null);
    }
}
