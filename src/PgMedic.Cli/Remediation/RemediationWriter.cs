using System.Globalization;
using System.Text.Json;
using PgMedic.Cli.Output;
using PgMedic.Core.Common;
using PgMedic.Core.Remediation;
using PgMedic.Postgres.Remediation;
using Spectre.Console;

namespace PgMedic.Cli.Remediation;

/// <summary>
/// Shows a remediation as it happens on a terminal (plan, then each result, then the verification),
/// or the whole <see cref="RemediationReport"/> at the end for json and markdown.
/// </summary>
internal sealed class RemediationWriter(CliContext context, OutputFormat format)
{
    private readonly IAnsiConsole _console = Terminal.For(context);

    private bool Live => format == OutputFormat.Table;

    public void Line(string text)
    {
        if (Live)
        {
            _console.MarkupLine(Terminal.Safe(text));
        }
    }

    public void Plan(RemediationPlan plan)
    {
        if (!Live)
        {
            return;
        }

        _console.MarkupLine($"[bold]Plan:[/] {Terminal.Safe(plan.Title)} — {plan.Actions.Count} action(s), {plan.Spared.Count} spared");
        if (plan.Actions.Count > 0)
        {
            var table = new Table().Border(TableBorder.Simple);
            foreach (var column in new[] { "action", "pid", "user", "application", "client", "database", "state", "in state", "xact", "reason" })
            {
                table.AddColumn(column);
            }

            foreach (var a in plan.Actions)
            {
                table.AddRow(
                    a.Action.ToString().ToLowerInvariant(),
                    a.Pid.ToString(CultureInfo.InvariantCulture),
                    Terminal.Safe(a.User),
                    Terminal.Safe(a.Application),
                    Terminal.Safe(a.Client ?? "local"),
                    Terminal.Safe(a.Database),
                    Terminal.Safe(a.State),
                    Age(a.StateAgeSeconds),
                    Age(a.TransactionAgeSeconds),
                    Terminal.Safe(a.Reason));
            }

            _console.Write(table);
        }

        foreach (var spared in plan.Spared)
        {
            _console.MarkupLine(Terminal.Safe($"  spared pid {spared.Pid} ({spared.User}, {spared.Application}, {spared.Database}, {spared.State}): {spared.Why}"));
        }
    }

    public void Results(IEnumerable<ActionResult> results)
    {
        if (!Live)
        {
            return;
        }

        foreach (var r in results)
        {
            var colour = r.Succeeded ? "green" : r.Result == ActionResult.AlreadyGone ? "grey" : "yellow";
            _console.MarkupLine($"  [{colour}]{Terminal.Safe(r.Result)}[/] pid {r.Action.Pid} ({Terminal.Safe(r.Action.Application)}) in {r.Milliseconds.ToString("0.0", CultureInfo.InvariantCulture)} ms{(r.Detail is null ? string.Empty : " — " + Terminal.Safe(r.Detail))}");
        }
    }

    public void Verification(Verification v)
    {
        if (!Live)
        {
            return;
        }

        var colour = v.Healthy ? "green" : "yellow";
        _console.MarkupLine($"  [{colour}]verify:[/] client connections {v.ClientBackendsBefore} → {v.ClientBackendsAfter} ({N(v.PercentBefore)} % → {N(v.PercentAfter)} % of usable), probe {Terminal.Safe(v.Probe.Outcome.ToString().ToLowerInvariant())}{(v.Probe.Reason is null ? string.Empty : " " + Terminal.Safe(v.Probe.Reason))}, {(v.Healthy ? "healthy" : "not yet healthy")}");
    }

    public void Hook(HookResult hook)
    {
        if (!Live)
        {
            return;
        }

        var colour = hook.Succeeded ? "green" : "red";
        _console.MarkupLine($"  [{colour}]{(hook.TimedOut ? "timed out" : "exit " + hook.ExitCode.ToString(CultureInfo.InvariantCulture))}[/] {Terminal.Safe(hook.Command)} ({hook.Milliseconds.ToString("0", CultureInfo.InvariantCulture)} ms)");
        foreach (var line in hook.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(10))
        {
            _console.MarkupLine($"    [dim]{Terminal.Safe(line)}[/]");
        }
    }

    public void Final(RemediationReport report)
    {
        switch (format)
        {
            case OutputFormat.Json:
                context.Out.WriteLine(JsonSerializer.Serialize(report, CliJsonContext.Default.RemediationReport));
                break;
            case OutputFormat.Markdown:
                Markdown(report);
                break;
            default:
                if (report.DryRun)
                {
                    _console.MarkupLine("[bold]Dry run:[/] nothing was changed. Re-run with [bold]--yes[/] to execute this plan.");
                }
                else if (report.StoppedAt is { } stopped)
                {
                    _console.MarkupLine($"[bold red]Stopped at {Terminal.Safe(stopped)}.[/] {Terminal.Safe(report.NextStep)}");
                }

                if (report.AuditLog is { } path)
                {
                    _console.MarkupLine($"[dim]audit log: {Terminal.Safe(path)}[/]");
                }

                break;
        }
    }

    private void Markdown(RemediationReport report)
    {
        var output = context.Out;
        output.WriteLine($"### pgmedic {report.Command}{(report.DryRun ? " (dry run: nothing changed)" : string.Empty)} — `{report.Target}`");
        foreach (var step in report.Steps)
        {
            output.WriteLine();
            output.WriteLine($"#### {step.Name}: {step.Status}{(step.RunbookStep is null ? string.Empty : $" ({step.RunbookStep})")}");
            if (step.Plan is { } plan)
            {
                output.WriteLine();
                output.WriteLine("| action | pid | user | application | database | state | in state | reason | result |");
                output.WriteLine("|---|---:|---|---|---|---|---|---|---|");
                foreach (var a in plan.Actions)
                {
                    var result = step.Results.FirstOrDefault(r => r.Action.Pid == a.Pid)?.Result ?? (report.DryRun ? "planned" : "-");
                    output.WriteLine($"| {a.Action.ToString().ToLowerInvariant()} | {a.Pid} | {a.User} | {a.Application} | {a.Database} | {a.State} | {Age(a.StateAgeSeconds)} | {a.Reason} | {result} |");
                }

                foreach (var spared in plan.Spared)
                {
                    output.WriteLine($"- spared pid {spared.Pid} ({spared.User}, {spared.Application}): {spared.Why}");
                }
            }

            if (step.Hook is { } hook)
            {
                output.WriteLine($"- hook `{hook.Command}`: {(hook.TimedOut ? "timed out" : $"exit {hook.ExitCode}")}");
            }

            if (step.Verification is { } v)
            {
                output.WriteLine($"- verify: client connections {v.ClientBackendsBefore} → {v.ClientBackendsAfter}, probe {v.Probe.Outcome.ToString().ToLowerInvariant()}, {(v.Healthy ? "healthy" : "not yet healthy")}");
            }
        }

        if (report.StoppedAt is { } stopped)
        {
            output.WriteLine();
            output.WriteLine($"**Stopped at {stopped}.** {report.NextStep}");
        }
    }

    private static string Age(double? seconds) => seconds is { } s ? Duration.Format(TimeSpan.FromSeconds(s)) : "-";

    private static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
