using System.CommandLine;
using PgMedic.Cli.Common;
using PgMedic.Cli.Output;
using PgMedic.Core.Common;
using PgMedic.Core.Reporting;
using PgMedic.Postgres.Collection;
using PgMedic.Postgres.Probing;
using PgMedic.Postgres.Remediation;

namespace PgMedic.Cli.Reporting;

/// <summary><c>pgmedic report</c>: the post-incident record from the audit log (and the server as it is now, when given).</summary>
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
        var command = new Command("report", "The post-incident record: timeline (findings, plans, actions, checks, recovery), before/after numbers, root cause as far as the evidence shows, and the runbook's post-incident checklist with what PgMedic can answer filled in.")
        {
            since, auditLog, output, format,
        };
        server.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            if (parseResult.GetValue(output) is { } outputPath)
            {
                OutputFile.Check("--output", outputPath);
            }

            var path = parseResult.GetValue(auditLog) ?? AuditLog.DefaultPath(context.Environment, context.HomeDirectory);
            if (!File.Exists(path))
            {
                throw new UsageException($"no audit log at '{path}': pass --audit-log PATH (PgMedic writes one when terminate, cancel, heal or emergency run with --yes)");
            }

            var (records, unreadable) = await AuditReader.ReadAsync(path, cancellationToken);
            if (unreadable > 0)
            {
                await context.Error.WriteLineAsync($"pgmedic: warning: {unreadable} line(s) of {path} are not audit records and were skipped");
            }

            var now = context.Time.GetUtcNow();
            var capacity = server.IsGiven(parseResult) ? await CurrentCapacityReader.ReadAsync(server.Resolve(parseResult, context), cancellationToken) : null;
            var report = IncidentReportBuilder.Build(records, [], now - parseResult.GetValue(since), now, capacity);
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
