using System.Globalization;
using PgMedic.Core.Alerts;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Remediation;

namespace PgMedic.Core.Reporting;

/// <summary>
/// Builds the post-incident record from the audit log (what PgMedic found and did) and, when given,
/// the monitor's alerts (when it was detected) and its history (usage, failure rate, the objective's budget,
/// the holders at the first alert). Pure: the same records give the same report.
/// </summary>
public static class IncidentReportBuilder
{
    public static IncidentReport Build(
        IEnumerable<AuditRecord> audit,
        IEnumerable<TimelineEntry> alerts,
        DateTimeOffset from,
        DateTimeOffset to,
        CurrentCapacity? capacity,
        HistoryEvidence? history = null)
    {
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(alerts);
        var records = audit.Where(r => r.Time >= from && r.Time <= to).OrderBy(r => r.Time).ToList();
        var timeline = alerts.Where(a => a.Time >= from && a.Time <= to).ToList();
        if (history is not null)
        {
            timeline.AddRange(history.Alerts.Where(a => a.State != AlertState.Pending && a.At >= from && a.At <= to).Select(a => new TimelineEntry(
                a.At,
                "alert",
                $"{(a.State == AlertState.Firing ? "firing" : "resolved")} {a.Alert}{(a.Subject.Length > 0 ? $" ({a.Subject})" : string.Empty)} {a.Severity.ToString().ToLowerInvariant()}: {a.Summary}")));
        }

        timeline.AddRange(records.SelectMany(Entries));

        // In the order diagnosis recorded them: most severe first within each record, earliest record first.
        var findings = records.Where(r => r.Event == AuditEvents.Findings && r.Findings is not null).SelectMany(r => r.Findings!).ToList();
        var finished = records.Where(r => r.Event == AuditEvents.ActionFinished && r.Action is not null).ToList();
        var terminated = finished.Where(r => r.Result == "terminated").ToList();
        var verifications = records.Where(r => r.Event == AuditEvents.Verification && r.ClientBackendsBefore is not null).ToList();
        var numbers = verifications.Count == 0
            ? null
            : new BeforeAfter(verifications[0].ClientBackendsBefore!.Value, verifications[^1].ClientBackendsAfter!.Value, verifications[0].PercentBefore ?? 0, verifications[^1].PercentAfter ?? 0, verifications[^1].Healthy == true);

        var playbooks = RecoveryEvidence.Playbooks(records);
        var recovery = RecoveryEvidence.Of(records, playbooks);
        if (!recovery.Verified && history is { IncidentFrom: not null, IncidentTo: { } resolved })
        {
            recovery = recovery with { NotVerifiedBecause = $"{recovery.NotVerifiedBecause}; the monitor saw every alert resolved at {resolved:HH:mm:ss} UTC" };
        }

        var detection = timeline.Where(e => e.Kind is "alert" or "finding").Select(e => (DateTimeOffset?)e.Time).Min();
        if (recovery.At is { } recovered)
        {
            timeline.Add(new TimelineEntry(recovered, "recovery", "verified healthy: a fresh connection gets in and no saturation, leak or lock finding remains"));
        }

        return new IncidentReport(
            from,
            to,
            records.Select(r => r.Target).Distinct().ToList(),
            [.. timeline.OrderBy(e => e.Time)],
            numbers,
            RootCauseFinder.Find(findings, records, acted: finished.Count > 0),
            terminated.Count,
            terminated.GroupBy(r => r.Action!.Application ?? "(no application_name)")
                .OrderByDescending(g => g.Count())
                .ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new TerminatedSessions(g.Key, g.Count()))
                .ToList(),
            finished.Count(r => r.Result == "cancelled"),
            recovery,
            detection is { } d && recovery.At is { } r && r >= d ? Math.Round((r - d).TotalSeconds, 1) : null,
            playbooks,
            Checklist(findings, terminated, numbers, capacity, monitored: records.Any(r => r.Origin == "serve"), history))
        {
            History = history,
        };
    }

    private static IEnumerable<TimelineEntry> Entries(AuditRecord record) => record.Event switch
    {
        AuditEvents.Findings => record.Findings!.Where(f => f.Severity >= Severity.Warning)
            .Select(f => new TimelineEntry(record.Time, "finding", $"{f.Severity.ToString().ToLowerInvariant()} {f.Code}: {f.Summary} ({f.RunbookStep})")),
        AuditEvents.Plan when record.Plan is { } plan => [new TimelineEntry(record.Time, "plan", $"{record.Command}{(record.Step is null ? string.Empty : "/" + record.Step)}: {plan.Actions.Count} action(s), {plan.Spared.Count} spared — {plan.Title}")],
        AuditEvents.ActionFinished when record.Action is { } a => [new TimelineEntry(record.Time, "action", $"{a.Action.ToString().ToLowerInvariant()} pid {a.Pid} ({a.Application}, {a.User}@{a.Database}, {a.State}): {record.Result}")],
        AuditEvents.Verification => [new TimelineEntry(record.Time, "verification", $"{record.Command}{(record.Step is null ? string.Empty : "/" + record.Step)}: {record.Detail} — {record.Result}")],
        AuditEvents.HookFinished => [new TimelineEntry(record.Time, "hook", $"{record.Step}: `{record.Detail}` {record.Result} (exit {record.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "?"})")],
        AuditEvents.HealthCheck => [new TimelineEntry(record.Time, "health-check", $"{record.Command}: {record.Detail} — {record.Result}")],
        AuditEvents.Stopped => [new TimelineEntry(record.Time, "stopped", $"{record.Command} stopped at {record.Step}: {record.Detail}")],
        _ => [],
    };

    /// <summary>An item is answered only when the records show it; the rest stay open for a person.</summary>
    private static List<ChecklistItem> Checklist(List<Finding> findings, List<AuditRecord> terminated, BeforeAfter? numbers, CurrentCapacity? capacity, bool monitored, HistoryEvidence? history)
    {
        var callSites = findings.Where(f => f.Holders is not null).SelectMany(f => f.Holders!).Select(h => h.CallSite.ToString()).Distinct().ToList();
        var leakApps = findings.Where(f => f.Code is FindingCodes.IdleConnectionHoarding or FindingCodes.IdleInTransaction && f.Subject is not null).Select(f => f.Subject!).Distinct().ToList();
        var missingTimeout = findings.Any(f => f.Code == FindingCodes.MissingTimeouts);
        var pools = HistoryChecklist.PoolSettings(history);
        var leaks = HistoryChecklist.Leaks(history);
        return
        [
            new ChecklistItem(
                "Review connection pool settings",
                capacity is not null || pools is not null,
                string.Join("; ", new[]
                {
                    pools,
                    capacity is { } c
                        ? $"server now: {c.ClientBackends} of {c.UsableSlots} usable slots in use ({c.PercentOfUsable.ToString("0.#", CultureInfo.InvariantCulture)} %); size each service's pool with advise (workers × pool size + overflow against these slots)"
                        : pools is null ? "no server was given to compare with: report with a target (or advise) compares the pools with its usable slots" : null,
                }.OfType<string>())),
            new ChecklistItem(
                "Audit code for connection leaks",
                callSites.Count > 0 || leakApps.Count > 0 || leaks is not null,
                callSites.Count > 0
                    ? $"connections were held at: {string.Join("; ", callSites)} — check those paths dispose their connection"
                    : leaks is not null
                        ? leaks
                        : leakApps.Count > 0
                            ? $"leak suspects: {string.Join(", ", leakApps)} — add PgMedic.Guard (or pgmedic-sqlalchemy) and give diagnose its pool endpoint to name the call site"
                            : "no leak suspect was found"),
            new ChecklistItem(
                "Implement connection pooling best practices",
                findings.Count > 0 && !missingTimeout,
                findings.Count == 0
                    ? "no diagnosis was recorded: nothing shows how the server's timeouts were set"
                    : missingTimeout
                        ? "set idle_in_transaction_session_timeout (it was off: an open transaction held its connection forever); use PgMedic.Guard's leak threshold and pre-ping"
                        : "the recorded diagnosis found the server's timeouts set; keep PgMedic.Guard's leak threshold on in every service"),
            new ChecklistItem(
                "Add connection metrics to dashboard",
                monitored || history is not null,
                history is not null
                    ? $"a PgMedic monitor watched this server ({history.Location}): its dashboard, /metrics and alerts covered the incident"
                    : monitored
                    ? "a PgMedic monitor watched this server: it acted on it through its API"
                    : "nothing in the audit log shows a monitor on this server: PgMedic's monitor serves /metrics (Prometheus) and a dashboard, and exports a Grafana dashboard and Prometheus rules for an existing stack"),
            new ChecklistItem(
                "Update database capacity planning",
                numbers is not null || capacity is not null || HistoryChecklist.Capacity(history) is not null,
                string.Join("; ", new[]
                {
                    HistoryChecklist.Capacity(history),
                    numbers is { } n
                        ? $"during the incident {n.ClientBackendsBefore} client connections ({n.PercentOfUsableBefore.ToString("0.#", CultureInfo.InvariantCulture)} % of usable) fell to {n.ClientBackendsAfter} ({n.PercentOfUsableAfter.ToString("0.#", CultureInfo.InvariantCulture)} %) once {terminated.Count} session(s) were terminated"
                        : HistoryChecklist.Capacity(history) is null ? "no before/after numbers were recorded" : null,
                }.OfType<string>())),
        ];
    }
}
