using System.CommandLine;
using PgMedic.Cli.Common;
using PgMedic.Cli.History;
using PgMedic.Cli.Output;
using PgMedic.Core.Common;
using PgMedic.Core.Reporting;
using PgMedic.Postgres.Collection;
using PgMedic.Postgres.Probing;
using PgMedic.Postgres.Remediation;

namespace PgMedic.Cli.Reporting;

/// <summary><c>pgmedic report</c>: the post-incident record from the audit log, the monitor's history when asked (<c>--history</c>, <c>--monitor</c>), and the server as it is now, when given.</summary>
internal static class ReportCommand
{
    public static Command Create(CliContext context)
    {
        var server = new ConnectionOptions("Optional: the server, to fill in current capacity (URL, conninfo or Npgsql string); the server is read only when this or -h/-p/-U/-d is given");
        var since = CommonOptions.DurationOption("--since", "-s", "Report on this much of the recent past", TimeSpan.FromHours(1));
        var auditLog = new Option<string?>("--audit-log") { Description = "The audit log to read (default $XDG_STATE_HOME/pgmedic/audit.jsonl)", HelpName = "file" };
        var output = new Option<string?>("--output", "-o") { Description = "Write the report to this file instead of standard output", HelpName = "file" };
        var format = new Option<OutputFormat>("--format", "-f")
        {
            Description = "Report format (default markdown)",
            HelpName = "markdown|json",
            DefaultValueFactory = _ => OutputFormat.Markdown,
            CustomParser = result => result.Tokens.Count > 0 && result.Tokens[0].Value.ToLowerInvariant() is var text && text is "markdown" or "json"
                ? (text == "json" ? OutputFormat.Json : OutputFormat.Markdown)
                : Fail(result),
        };
        var history = new HistoryOptions();
        var name = new Option<string?>("--name") { Description = "With --history or --monitor: the monitored target to report on (default: the only one)", HelpName = "target" };
        var command = new Command("report", "The post-incident record: timeline (findings, plans, actions, checks, recovery; with the monitor's history its alerts), before/after numbers, usage and failure rate around the incident, the error budget it spent and the holders at the first alert, root cause as far as the evidence shows, and the runbook's post-incident checklist with what the evidence answers filled in.")
        {
            since, auditLog, output, format, name,
        };
        server.AddTo(command);
        history.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            if (parseResult.GetValue(output) is { } outputPath)
            {
                OutputFile.Check("--output", outputPath);
            }

            var fromHistory = history.IsGiven(parseResult);
            var given = parseResult.GetValue(auditLog);
            var path = given ?? AuditLog.DefaultPath(context.Environment, context.HomeDirectory);
            IReadOnlyList<PgMedic.Core.Remediation.AuditRecord> records = [];
            if (File.Exists(path))
            {
                (records, var unreadable) = await AuditReader.ReadAsync(path, cancellationToken);
                if (unreadable > 0)
                {
                    await context.Error.WriteLineAsync($"pgmedic: warning: {unreadable} line(s) of {path} are not audit records and were skipped");
                }
            }
            else if (given is not null || !fromHistory)
            {
                throw new UsageException($"no audit log at '{path}': pass --audit-log PATH (PgMedic writes one when terminate, cancel, heal or emergency run with --yes), or read the monitor's history with --history FILE or --monitor URL");
            }

            var now = context.Time.GetUtcNow();
            var period = parseResult.GetValue(since);
            HistoryEvidence? evidence = null;
            if (fromHistory)
            {
                await using var source = HistorySource.Open(history, parseResult, context);
                var target = await source.TargetAsync(parseResult.GetValue(name), cancellationToken);
                evidence = await source.EvidenceAsync(target, period, cancellationToken);
            }

            var capacity = server.IsGiven(parseResult) ? await CurrentCapacityReader.ReadAsync(server.Resolve(parseResult, context), cancellationToken) : null;
            var report = IncidentReportBuilder.Build(records, [], now - period, now, capacity, evidence);
            var rendered = ReportRenderer.Render(report, parseResult.GetValue(format));
            if (parseResult.GetValue(output) is { } file)
            {
                await OutputFile.WriteAsync("--output", file, rendered, cancellationToken);
                await context.Out.WriteLineAsync($"Incident report written to {file}");
            }
            else
            {
                await context.Out.WriteAsync(rendered);
            }

            return (int)report.ExitCode;
        });
        return command;
    }

    private static OutputFormat Fail(System.CommandLine.Parsing.ArgumentResult result)
    {
        result.AddError($"--format '{(result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty)}' is not one of markdown, json");
        return OutputFormat.Markdown;
    }
}
