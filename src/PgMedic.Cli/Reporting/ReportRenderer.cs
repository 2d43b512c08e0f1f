using System.Globalization;
using System.Text;
using System.Text.Json;
using PgMedic.Cli.Output;
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
        text.AppendLine(CultureInfo.InvariantCulture, $"- **Targets:** {(report.Targets.Count == 0 ? "(none recorded)" : string.Join(", ", report.Targets.Select(t => $"`{t}`")))}");
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
            text.AppendLine("Nothing in the audit log for this period.");
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
