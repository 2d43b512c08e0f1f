using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Diagnosis.Rules;

/// <summary>
/// Leak suspects: an application (with its user) holding many connections idle for longer than the
/// runbook's 5 minutes. Named, counted and aged, with the command that reclaims exactly those.
/// </summary>
internal sealed class IdleConnectionHoardingRule : IDiagnosisRule
{
    public IEnumerable<Finding> Evaluate(DiagnosisContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        var now = context.Now;
        var usable = Math.Max(1, context.Snapshot.Server.UsableSlots);
        var minimum = Math.Max(1, Math.Min(options.HoardingMinSessions, (int)Math.Ceiling(usable * options.HoardingMinPercentOfUsable / 100)));
        var suspects = context.Snapshot.ClientBackends
            .Where(s => s.State == SessionStates.Idle && s.StateAge(now) >= options.HoardingIdleFor)
            .GroupBy(s => (Application: SessionGroups.ApplicationOf(s), s.User))
            .Where(g => g.Count() >= minimum)
            .OrderByDescending(g => g.Count());
        foreach (var group in suspects)
        {
            var sessions = group.OrderByDescending(s => s.StateAge(now)).ToList();
            var share = Usage.Percent(sessions.Count, usable);
            var clients = sessions.Select(s => s.ClientAddress ?? SessionGroups.LocalSocket).Distinct().ToList();
            var totalOfApp = context.Snapshot.ClientBackends.Count(s => SessionGroups.ApplicationOf(s) == group.Key.Application);
            var application = group.Key.Application;
            yield return new Finding(
                FindingCodes.IdleConnectionHoarding,
                share >= 50 ? Severity.Critical : Severity.Warning,
                $"leak suspect: application '{application}' (user {group.Key.User}) holds {sessions.Count} connections idle for over {Text.Age(options.HoardingIdleFor)}, oldest {Text.Age(sessions[0].StateAge(now))}",
                [
                    $"{sessions.Count} stale idle of {totalOfApp} connections of this application; {share} % of usable slots",
                    $"clients: {string.Join(", ", clients.Take(5))}{(clients.Count > 5 ? " …" : string.Empty)}",
                    $"pids: {Text.Pids(sessions.Select(s => s.Pid))}",
                    $"last query of the oldest: {Text.Query(sessions[0].Query)}",
                ],
                sessions.Select(s => s.Pid).ToList(),
                RunbookStep.IdentifyConnectionLeaks,
                Fix.Run(FixVerb.Terminate, application == SessionGroups.NoApplicationName
                    ? new FixOptions { State = "idle", IdleFor = Text.Age(options.HoardingIdleFor), User = group.Key.User }
                    : new FixOptions { State = "idle", IdleFor = Text.Age(options.HoardingIdleFor), Application = application }),
                application);
        }
    }
}
