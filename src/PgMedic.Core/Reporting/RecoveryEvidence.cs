using PgMedic.Core.Remediation;
using static PgMedic.Core.Reporting.AuditEvents;

namespace PgMedic.Core.Reporting;

/// <summary>How the runs ended, from their records only: a recovery is claimed on a passed check, never assumed.</summary>
internal static class RecoveryEvidence
{
    public static List<PlaybookRun> Playbooks(IReadOnlyList<AuditRecord> records) =>
        records.Where(r => r.Command == Emergency && r.Event == Plan && r.Step == PlaybookPlan)
            .Select(start => Playbook(start, records.Where(r => r.RunId == start.RunId).ToList()))
            .ToList();

    /// <summary>
    /// The first passed check after the last failed check, stopped playbook or interrupted one. In an
    /// emergency run only its final check counts: the check after its terminate sees the server before
    /// the application is back and while maintenance mode is on.
    /// </summary>
    public static Recovery Of(IReadOnlyList<AuditRecord> records, IReadOnlyList<PlaybookRun> playbooks)
    {
        var checks = records.Where(r => r.Event == Verification && r.Healthy is not null && (r.Command != Emergency || r.Step == FinalCheck)).ToList();
        var failed = checks.LastOrDefault(v => v.Healthy == false);
        var stop = records.LastOrDefault(r => r.Event == Stopped);
        var interrupted = playbooks.LastOrDefault(p => p.Ending == PlaybookEnding.Unfinished);
        var barrier = new[] { failed?.Time, stop?.Time, interrupted?.Started }.Max();
        if (checks.FirstOrDefault(v => v.Healthy == true && (barrier is null || v.Time > barrier)) is { } passed)
        {
            return new Recovery(true, passed.Time, null);
        }

        var why = barrier is null ? "no verification was recorded"
            : barrier == stop?.Time ? $"the {stop!.Command} playbook stopped at {stop.Step}"
            : barrier == failed?.Time ? $"the last check ({failed!.Command}, after {failed.Step}) found the server not healthy: {failed.Detail}"
            : $"the {interrupted!.Command} playbook's records end before its final check";
        return new Recovery(false, null, why);
    }

    private static PlaybookRun Playbook(AuditRecord start, List<AuditRecord> run)
    {
        var stop = run.LastOrDefault(r => r.Event == Stopped);
        var ending = stop is not null ? PlaybookEnding.Stopped
            : run.Any(r => r.Event == Verification && r.Step == FinalCheck) ? PlaybookEnding.Finished
            : PlaybookEnding.Unfinished;
        return new PlaybookRun(start.Time, start.Command!, ending, stop?.Step, stop?.Detail, Maintenance(run));
    }

    private static MaintenanceMode Maintenance(List<AuditRecord> run)
    {
        var on = run.LastOrDefault(r => r.Event == HookFinished && r.Step == MaintenanceOn);
        return on is null ? MaintenanceMode.NotUsed
            : on.Result != HookSucceeded ? MaintenanceMode.MaybeOn
            : run.Any(r => r.Event == HookFinished && r.Step == MaintenanceOff && r.Result == HookSucceeded) ? MaintenanceMode.Off
            : MaintenanceMode.On;
    }
}
