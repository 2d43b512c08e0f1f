using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Diagnosis.Rules;

/// <summary>
/// Client queries active for longer than a threshold. Only client backends: walsenders, autovacuum
/// and other background processes run "forever" by design (check_postgres #139, #176; PgHero).
/// </summary>
internal sealed class LongRunningQueryRule : IDiagnosisRule
{
    public IEnumerable<Finding> Evaluate(DiagnosisContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        var now = context.Now;
        var running = context.Snapshot.ClientBackends
            .Where(s => s.State == SessionStates.Active && s.QueryAge(now) >= options.LongQueryWarning)
            .OrderByDescending(s => s.QueryAge(now))
            .ToList();
        if (running.Count == 0)
        {
            yield break;
        }

        var longest = running[0];
        yield return new Finding(
            FindingCodes.LongRunningQuery,
            longest.QueryAge(now) >= options.LongQueryCritical ? Severity.Critical : Severity.Warning,
            $"{running.Count} quer{(running.Count == 1 ? "y" : "ies")} running for over {Text.Age(options.LongQueryWarning)} (longest {Text.Age(longest.QueryAge(now))}: pid {longest.Pid}, {SessionGroups.ApplicationOf(longest)})",
            running.Take(10)
                .Select(s => $"pid {s.Pid} {SessionGroups.ApplicationOf(s)} ({s.User}@{s.Database}) running {Text.Age(s.QueryAge(now))}{(s.WaitEventType is null ? string.Empty : $", waiting on {s.WaitEventType}/{s.WaitEvent}")}: {Text.Query(s.Query)}")
                .ToList(),
            running.Select(s => s.Pid).ToList(),
            RunbookStep.IdentifyConnectionLeaks,
            Fix.Run(FixVerb.Cancel, new FixOptions { RunningFor = Text.Age(options.LongQueryWarning) }));
    }
}
