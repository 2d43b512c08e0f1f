using System.Globalization;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Remediation;

namespace PgMedic.Core.Reporting;

/// <summary>
/// The root cause as far as the findings show it. Diagnosis records findings most severe first; the first
/// that names a cause wins. Saturation, refusals and missing timeouts are symptoms or conditions, not
/// causes; how many sessions of an application were terminated says what was done, not why.
/// </summary>
internal static class RootCauseFinder
{
    private static readonly HashSet<string> Causes = new(StringComparer.Ordinal)
    {
        FindingCodes.BlockingChain, FindingCodes.IdleConnectionHoarding, FindingCodes.IdleInTransaction,
        FindingCodes.LongRunningQuery, FindingCodes.DatabaseLimit, FindingCodes.RoleLimit,
    };

    /// <param name="findings">Every recorded finding, in recorded order.</param>
    /// <param name="records">The period's records, to name the application of a PID the findings give.</param>
    public static RootCause? Find(IReadOnlyList<Finding> findings, IReadOnlyList<AuditRecord> records, bool acted)
    {
        if (findings.Count == 0 && !acted)
        {
            return null;
        }

        var serious = findings.Where(f => f.Severity >= Severity.Warning).ToList();
        var listed = serious.Select(f => $"{f.Code}: {f.Summary}").Distinct().ToList();
        var cause = serious.FirstOrDefault(f => Causes.Contains(f.Code));
        if (cause is null)
        {
            var summary = serious.Count > 0 ? $"not established: the findings show symptoms, not a cause (first: {listed[0]})"
                : findings.Count == 0 ? "not established: no diagnosis was recorded before PgMedic acted"
                : acted ? "not established: the recorded diagnosis found nothing above info"
                : "no action was needed";
            return new RootCause(summary, null, null, [], listed);
        }

        if (cause.Code == FindingCodes.BlockingChain)
        {
            // The chain's head is its subject (a PID) and the first of its PIDs; the records name its application.
            var subjectIsPid = int.TryParse(cause.Subject, NumberStyles.None, CultureInfo.InvariantCulture, out var pid);
            var head = subjectIsPid ? pid : cause.Pids.FirstOrDefault();
            var application = (subjectIsPid ? null : cause.Subject) ?? ApplicationOf(head, records);
            var sites = CallSites(cause.Holders?.Where(h => h.BackendPid == head));
            var holder = application is null ? $"pid {head}" : $"application '{application}' (pid {head})";
            return new RootCause(
                $"{holder} held the lock the other sessions queued behind — {cause.Summary}{CheckedOut(sites)}",
                application,
                cause.Code,
                sites,
                listed);
        }

        var callSites = CallSites(cause.Holders);
        var named = cause.Code is FindingCodes.DatabaseLimit or FindingCodes.RoleLimit ? null : cause.Subject;
        return new RootCause(
            (named is null || cause.Summary.Contains($"'{named}'", StringComparison.Ordinal) ? cause.Summary : $"application '{named}': {cause.Summary}") + CheckedOut(callSites),
            named,
            cause.Code,
            callSites,
            listed);
    }

    private static string? ApplicationOf(int pid, IReadOnlyList<AuditRecord> records) =>
        records.Select(r => r.Action).Concat(records.SelectMany(r => r.Plan?.Actions ?? []))
            .FirstOrDefault(a => a?.Pid == pid)?.Application
        ?? records.SelectMany(r => r.Plan?.Spared ?? []).FirstOrDefault(s => s.Pid == pid)?.Application;

    private static List<string> CallSites(IEnumerable<AppHolder>? holders) =>
        (holders ?? [])
            .GroupBy(h => (h.Service, Site: h.CallSite.ToString()))
            .OrderByDescending(g => g.Count())
            .Select(g => $"{g.Key.Site} in {g.Key.Service}: {g.Count()} connection(s)")
            .ToList();

    private static string CheckedOut(List<string> callSites) => callSites.Count > 0 ? $"; checked out at {callSites[0]}" : string.Empty;
}
