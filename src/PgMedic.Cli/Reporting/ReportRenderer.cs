using System.Globalization;
using System.Text;
using System.Text.Json;
using PgMedic.Cli.Output;
using PgMedic.Core.Alerts;
using PgMedic.Core.Reporting;

namespace PgMedic.Cli.Reporting;

internal static class ReportRenderer
{
    public static string Render(IncidentReport report, OutputFormat format) =>
        format == OutputFormat.Json ? JsonSerializer.Serialize(report, CliJsonContext.Dialect.IncidentReport) : Markdown(report);

    public static string Markdown(IncidentReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Incident report — {report.From:yyyy-MM-dd HH:mm:ss} to {report.To:HH:mm:ss} UTC");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"- **Targets:** {(report.Targets.Count > 0 ? string.Join(", ", report.Targets.Select(t => $"`{t}`")) : report.History is { } watched ? $"`{watched.Target}` (the monitor's)" : "(none recorded)")}");
        text.AppendLine("- " + RecoveryLine(report));
        var byApplication = report.TerminatedByApplication.Count == 0 ? string.Empty
            : " (" + string.Join(", ", report.TerminatedByApplication.Select(t => $"{t.Application}: {t.Sessions}")) + ")";
        text.AppendLine(CultureInfo.InvariantCulture, $"- **Sessions terminated:** {report.SessionsTerminated}{byApplication} · **queries cancelled:** {report.SessionsCancelled}");
        foreach (var playbook in report.Playbooks)
        {
            Playbook(text, playbook);
        }

        text.AppendLine();
        text.AppendLine("## Root cause (as far as the evidence shows)");
        text.AppendLine();
        if (report.RootCause is { } cause)
        {
            text.AppendLine(cause.Summary + ".");
            foreach (var line in cause.CallSites.Skip(1).Select(c => "also held at " + c).Concat(cause.Findings))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {line}");
            }
        }
        else
        {
            var leak = report.Checklist.FirstOrDefault(c => c.Item == "Audit code for connection leaks" && c.Answered && report.History is not null);
            text.AppendLine(leak is null ? "Nothing in the audit log for this period." : $"Nothing in the audit log for this period; the monitor's history shows: {leak.Answer}.");
        }

        if (report.History is { } history)
        {
            HistorySection(text, history);
        }

        if (report.Numbers is { } n)
        {
            text.AppendLine();
            text.AppendLine("## Before and after");
            text.AppendLine();
            text.AppendLine("| | before | after |");
            text.AppendLine("|---|---:|---:|");
            text.AppendLine(CultureInfo.InvariantCulture, $"| client connections | {n.ClientBackendsBefore} | {n.ClientBackendsAfter} |");
            text.AppendLine(CultureInfo.InvariantCulture, $"| % of usable slots | {n.PercentOfUsableBefore:0.#} | {n.PercentOfUsableAfter:0.#} |");
            text.AppendLine(CultureInfo.InvariantCulture, $"| healthy at the last check | | {(n.Healthy ? "yes" : "no")} |");
        }

        text.AppendLine();
        text.AppendLine("## Timeline (UTC)");
        text.AppendLine();
        text.AppendLine("| time | what | detail |");
        text.AppendLine("|---|---|---|");
        foreach (var entry in report.Timeline)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {entry.Time:HH:mm:ss.fff} | {entry.Kind} | {entry.Text.Replace("|", "\\|", StringComparison.Ordinal)} |");
        }

        text.AppendLine();
        text.AppendLine("## Post-incident checklist");
        text.AppendLine();
        foreach (var item in report.Checklist)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {(item.Answered ? "[x]" : "open:")} **{item.Item}** — {item.Answer}");
        }

        return text.ToString();
    }

    /// <summary>What the monitor's history shows: usage and failures minute by minute, the budget spent, the holders at the first alert.</summary>
    private static void HistorySection(StringBuilder text, HistoryEvidence h)
    {
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"## From the monitor's history (`{h.Target}`, {h.Location})");
        text.AppendLine();
        text.AppendLine(h.IncidentFrom is { } start
            ? Invariant($"- **Incident:** first alert at {start:HH:mm:ss} UTC, ") + (h.IncidentTo is { } end ? Invariant($"every alert resolved at {end:HH:mm:ss} UTC ({(end - start).TotalMinutes:0.#} min)") : "still firing at the end of the period")
            : "- **Incident:** no alert fired in this period");
        if (h.PeakUsage is { } peak)
        {
            text.AppendLine(Invariant($"- **Saturation:** peak {peak.PercentOfUsable:0.#} % of usable slots ({peak.ClientBackends} of {peak.UsableSlots}) at {peak.At:HH:mm:ss} UTC"));
        }

        if (h.PeakFailure is { FailureRatio: { } ratio } failure)
        {
            text.AppendLine(Invariant($"- **Connection failures:** peak {ratio * 100:0.#} % at {failure.At:HH:mm:ss} UTC"));
        }

        if (h.Slo is { } slo)
        {
            text.AppendLine(Invariant($"- **Error budget:** this period spent {slo.BudgetSpentRatio * 100:0.#} % of the {slo.ObjectivePercent:0.###} % objective's budget ({slo.Failures} of {slo.Attempts} {(slo.Source == FailureSignal.Application ? "checkouts" : "connection attempts")} failed; {slo.BudgetSpentMinutes:0.#} of {slo.BudgetMinutes:0.#} minutes); {slo.BudgetRemainingRatio * 100:0.#} % of the budget is left"));
        }

        if (h.AtFirstAlert is { } moment)
        {
            text.AppendLine(Invariant($"- **Holders at the first alert** ({moment.From:HH:mm:ss} UTC, {moment.ClientBackendsPeak} client sessions):"));
            foreach (var holder in moment.Holders.Take(5))
            {
                var states = string.Join(", ", holder.ByState.OrderByDescending(s => s.Value).Select(s => Invariant($"{s.Key} {s.Value:0.#}")));
                text.AppendLine(Invariant($"  - {(holder.Application.Length == 0 ? "(no application_name)" : holder.Application)}: {holder.Sessions:0.#} ({states}){(holder.Query is { } q ? $" — `{q}` ({holder.Fingerprint})" : string.Empty)}"));
            }

            if (moment.LockTree.Count > 0)
            {
                text.AppendLine("  - lock tree:");
                foreach (var line in PgMedic.Cli.History.HistoryRenderer.Tree(moment.LockTree))
                {
                    text.AppendLine($"    - {line}");
                }
            }
        }

        if (h.Minutes.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("| minute (UTC) | client connections | % of usable | failure rate |");
            text.AppendLine("|---|---:|---:|---:|");
            foreach (var m in h.Minutes)
            {
                text.AppendLine(Invariant($"| {m.At:HH:mm} | {m.ClientBackends} | {m.PercentOfUsable:0.#} | {(m.FailureRatio is { } r ? $"{r * 100:0.#} %" : "-")} |"));
            }
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string RecoveryLine(IncidentReport report) => report.Recovery switch
    {
        { Verified: true } when report.DetectionToRecoverySeconds is { } seconds =>
            $"**Detection to verified recovery:** {seconds.ToString("0.0", CultureInfo.InvariantCulture)} s",
        { Verified: true, At: { } at } => $"**Recovery:** verified healthy at {at:HH:mm:ss} UTC (no detection time recorded)",
        var recovery => $"**Recovery:** not verified: {recovery.NotVerifiedBecause}",
    };

    private static void Playbook(StringBuilder text, PlaybookRun run)
    {
        var ending = run.Ending switch
        {
            PlaybookEnding.Stopped => $"**stopped at {run.StoppedAt}** — {run.Why}",
            PlaybookEnding.Unfinished => "**unfinished**: the records end before its final check",
            _ => "finished",
        };
        text.AppendLine(CultureInfo.InvariantCulture, $"- **{char.ToUpperInvariant(run.Command[0])}{run.Command[1..]} playbook** ({run.Started:HH:mm:ss} UTC): {ending}");
        var maintenance = run.Maintenance switch
        {
            MaintenanceMode.On => "**still ON**: its hook turned it on and nothing turned it off",
            MaintenanceMode.MaybeOn => "**may be half on**: the maintenance-on hook failed",
            MaintenanceMode.Off => "turned on, then off again",
            _ => null,
        };
        if (maintenance is not null)
        {
            text.AppendLine("  - maintenance mode: " + maintenance);
        }
    }
}
