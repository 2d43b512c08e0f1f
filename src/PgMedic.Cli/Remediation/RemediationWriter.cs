using System.Globalization;
using System.Text.Json;
using PgMedic.Cli.Output;
using PgMedic.Core.Common;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Probing;
using PgMedic.Core.Remediation;
using PgMedic.Postgres.Remediation;
using Spectre.Console;

namespace PgMedic.Cli.Remediation;

/// <summary>
/// Shows a remediation as it happens on a terminal (plan, then each result, then the verification),
/// or the whole <see cref="RemediationReport"/> at the end for json and markdown.
/// </summary>
internal sealed class RemediationWriter(CliContext context, OutputFormat format) : IRemediationObserver
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

    public void Findings(IReadOnlyList<Finding> findings)
    {
        foreach (var finding in findings)
        {
            Line($"{finding.Severity.ToString().ToUpperInvariant()} {finding.Code}: {finding.Summary}");
        }
    }

    public void Playbook(HookSettings hooks, string database, RemediationPlan plan)
    {
        Line("Playbook (runbook step 4):");
        Line($"  1. maintenance on:  {hooks.MaintenanceOnCommand ?? Missing(hooks, "maintenance-on", "--maintenance-on-command")}");
        Line($"  2. terminate {plan.Actions.Count} client session(s) of {database}");
        if (hooks.RestartDatabaseCommand is not null || hooks.Missing.ContainsKey("restart-database"))
        {
            Line($"  2b. restart the database: {hooks.RestartDatabaseCommand ?? Missing(hooks, "restart-database", "--restart-database-command")}, then wait until it accepts connections");
        }

        Line($"  3. restart the app: {hooks.RestartCommand ?? Missing(hooks, "restart-app", "--restart-command")}");
        Line("  4. verify: a fresh connection gets in and SELECT 1 answers");
        Line($"  5. maintenance off: {hooks.MaintenanceOffCommand ?? Missing(hooks, "maintenance-off", "--maintenance-off-command")}");
    }

    /// <summary>A step without a command: skipped, and why when the platform has none.</summary>
    private static string Missing(HookSettings hooks, string step, string option) =>
        hooks.Missing.TryGetValue(step, out var why) ? $"(skipped: {why} — {option})" : $"(no {option}: skipped)";

    public void Health(HealthCheckResult result) =>
        Line($"Health {result.Url}: {(result.Healthy ? "healthy" : "NOT healthy")} — HTTP {result.HttpStatus?.ToString(CultureInfo.InvariantCulture) ?? "no answer"} after {result.Attempts} attempt(s): {result.Body}");

    public void DatabaseWait(ProbeResult probe, TimeSpan elapsed) =>
        Line(probe.Outcome == ProbeOutcome.Accepting
            ? $"Database: accepting connections again after {elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s"
            : $"Database: {ProbeOutcomeName.Of(probe.Outcome)} {probe.Reason} after {elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s — waiting");

    public void Step(string name, string? runbookStep, int sessions) =>
        Line($"Step {name}{(runbookStep is null ? string.Empty : $" ({runbookStep})")}: {sessions} session(s)");

    public void StepSkipped(string name, StepSkip why) =>
        Line(why == StepSkip.Healthy ? $"Step {name}: skipped — the server is healthy." : $"Step {name}: skipped (no command configured)");

    public void HookStarted(string name, string command) => Line($"Step {name}: {command}");

    public void Plan(RemediationPlan plan)
    {
        if (!Live)
        {
            return;
        }

        _console.MarkupLine($"[bold]Plan:[/] {Terminal.Safe(plan.Title)} — {plan.Actions.Count} action(s), {plan.Spared.Count} spared");
        if (plan.Actions.Count > 0)
        {
            var table = new FittedTable(
                new FittedColumn("action", ColumnFit.Keep),
                new FittedColumn("pid", ColumnFit.Keep, RightAligned: true),
                new FittedColumn("user"),
                new FittedColumn("application"),
                new FittedColumn("client"),
                new FittedColumn("database"),
                new FittedColumn("state", ColumnFit.Keep),
                new FittedColumn("in state", ColumnFit.Keep),
                new FittedColumn("xact", ColumnFit.Keep),
                new FittedColumn("reason", ColumnFit.Wrap));
            foreach (var a in plan.Actions)
            {
                table.AddRow(
                    a.Action.ToString().ToLowerInvariant(),
                    a.Pid.ToString(CultureInfo.InvariantCulture),
                    ViewCells.Text(a.User),
                    ViewCells.Text(a.Application),
                    a.ClientAddress ?? "local",
                    ViewCells.Text(a.Database),
                    ViewCells.Text(a.State),
                    Age(a.StateAgeSeconds),
                    Age(a.TransactionAgeSeconds),
                    a.Reason);
            }

            table.Write(_console);
        }

        foreach (var spared in plan.Spared)
        {
            _console.MarkupLine(Terminal.Safe($"  spared pid {spared.Pid} ({spared.User}, {spared.Application}, {spared.Database}, {spared.State}): {SpareText.Of(spared)}"));
        }
    }

    public void Results(IReadOnlyList<ActionResult> results)
    {
        if (!Live)
        {
            return;
        }

        foreach (var r in results)
        {
            var colour = r.Succeeded ? "green" : r.Result == ActionOutcome.AlreadyGone ? "grey" : "yellow";
            _console.MarkupLine($"  [{colour}]{ActionOutcomeText.Of(r.Result)}[/] pid {r.Action.Pid} ({Terminal.Safe(r.Action.Application)}) in {r.ElapsedMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)} ms{(r.Detail is null ? string.Empty : " — " + Terminal.Safe(r.Detail))}");
        }
    }

    public void Verification(Verification v)
    {
        if (!Live)
        {
            return;
        }

        var colour = v.Healthy ? "green" : "yellow";
        _console.MarkupLine($"  [{colour}]verify:[/] client connections {v.ClientBackendsBefore} → {v.ClientBackendsAfter} ({N(v.PercentOfUsableBefore)} % → {N(v.PercentOfUsableAfter)} % of usable), probe {Terminal.Safe(ProbeOutcomeName.Of(v.Probe.Outcome))}{(v.Probe.Reason is null ? string.Empty : " " + Terminal.Safe(v.Probe.Reason))}, {(v.Healthy ? "healthy" : "not yet healthy")}");
    }

    public void Hook(HookResult hook)
    {
        if (!Live)
        {
            return;
        }

        var colour = hook.Succeeded ? "green" : "red";
        _console.MarkupLine($"  [{colour}]{(hook.TimedOut ? "timed out" : "exit " + hook.ExitCode.ToString(CultureInfo.InvariantCulture))}[/] {Terminal.Safe(hook.Command)} ({hook.ElapsedMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms)");
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
                context.Out.WriteLine(JsonSerializer.Serialize(report, CliJsonContext.Dialect.RemediationReport));
                break;
            case OutputFormat.Markdown:
                Markdown(report);
                break;
            default:
                var ending = Ending(report);
                _console.MarkupLine(report.Outcome switch
                {
                    RunOutcome.Stopped => $"[bold red]{Terminal.Safe(ending)}[/]",
                    RunOutcome.Executed when report.ExitCode == ExitCode.Ok => $"[green]{Terminal.Safe(ending)}[/]",
                    RunOutcome.Executed or RunOutcome.Busy => $"[yellow]{Terminal.Safe(ending)}[/]",
                    _ => $"[bold]{Terminal.Safe(ending)}[/]",
                });
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
        output.WriteLine($"### pgmedic {RemediationText.Verb(report.Command)}{(report.Outcome == RunOutcome.Executed ? string.Empty : $" ({Ending(report)})")} — `{report.Target}`");
        foreach (var step in report.Steps)
        {
            output.WriteLine();
            output.WriteLine($"#### {step.Name}: {StatusText(step.Status)}{(step.RunbookStep is null ? string.Empty : $" ({step.RunbookStep})")}");
            if (step.Plan is { } plan)
            {
                output.WriteLine();
                output.WriteLine("| action | pid | user | application | database | state | in state | reason | result |");
                output.WriteLine("|---|---:|---|---|---|---|---|---|---|");
                foreach (var a in plan.Actions)
                {
                    var result = step.Results.FirstOrDefault(r => r.Action.Pid == a.Pid) is { } r ? ActionOutcomeText.Of(r.Result) : report.Outcome == RunOutcome.Executed ? "-" : "planned";
                    output.WriteLine($"| {a.Action.ToString().ToLowerInvariant()} | {a.Pid} | {a.User} | {a.Application} | {a.Database} | {a.State} | {Age(a.StateAgeSeconds)} | {a.Reason} | {result} |");
                }

                foreach (var spared in plan.Spared)
                {
                    output.WriteLine($"- spared pid {spared.Pid} ({spared.User}, {spared.Application}): {SpareText.Of(spared)}");
                }
            }

            if (step.Command is { } command)
            {
                output.WriteLine($"- would run `{command}`");
            }

            if (step.Url is { } url)
            {
                output.WriteLine($"- would poll {url}");
            }

            if (step.Hook is { } hook)
            {
                output.WriteLine($"- hook `{hook.Command}`: {(hook.TimedOut ? "timed out" : $"exit {hook.ExitCode}")}");
            }

            if (step.Verification is { } v)
            {
                output.WriteLine($"- verify: client connections {v.ClientBackendsBefore} → {v.ClientBackendsAfter}, probe {ProbeOutcomeName.Of(v.Probe.Outcome)}, {(v.Healthy ? "healthy" : "not yet healthy")}");
            }
        }

        if (report.StoppedAt is { } stopped)
        {
            output.WriteLine();
            output.WriteLine($"**Stopped at {stopped}.** {report.NextStep}");
        }
    }

    /// <summary>The one line that says how the run ended.</summary>
    public static string Ending(RemediationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report.Outcome switch
        {
            RunOutcome.DryRun => "Dry run: nothing was changed. Re-run with --yes to execute this plan.",
            RunOutcome.Declined => "Declined: nothing was changed.",
            RunOutcome.NothingToDo when Spared(report) is { Count: > 0 } spared => $"Nothing done: every matching session was spared ({spared.Count}, {string.Join("; ", spared.Select(s => s.Reason).Distinct().Select(SpareText.Reason))}). Next: {SpareText.NextStep(spared)}",
            RunOutcome.NothingToDo when report.Command == RemediationVerb.Heal => report.Healthy == true
                ? "The server is healthy: nothing to heal."
                : "Nothing heal may act on matched, but the server is not healthy: see `pgmedic diagnose` for what else is wrong.",
            RunOutcome.NothingToDo => "Nothing to do: no session matched.",
            RunOutcome.Busy => $"Not run: {Holder(report.Holder)}. Nothing was changed; re-run once it has finished.",
            RunOutcome.Stopped => $"Stopped at {report.StoppedAt}. {report.NextStep}",
            _ when report.Command == RemediationVerb.Heal => report.Healthy == true
                ? $"Healed: verified healthy {report.ElapsedMilliseconds:0} ms after start."
                : Spared(report) is { Count: > 0 } left
                    ? $"Not healthy after every step: {left.Count} session(s) heal may not act on were spared ({string.Join("; ", left.Select(s => s.Reason).Distinct().Select(SpareText.Reason))}). Next: {SpareText.NextStep(left)}"
                    : "Not healthy after every step: see the findings above; `pgmedic diagnose` for what is left.",
            _ when report.Command == RemediationVerb.Emergency => "Emergency playbook finished: every step succeeded.",
            _ => report.ExitCode == ExitCode.Ok ? $"Done: {Counts(report)}." : $"Done, but some actions did not go through: {Counts(report)} (see above).",
        };
    }

    /// <summary>"2 terminated, 1 already-gone; 1 spared": what the executed run did, by result, in the audit log's words.</summary>
    private static string Counts(RemediationReport report)
    {
        var results = report.Steps.SelectMany(s => s.Results)
            .GroupBy(r => r.Result)
            .OrderBy(g => g.Key)
            .Select(g => $"{g.Count()} {ActionOutcomeText.Of(g.Key)}")
            .ToList();
        var done = results.Count == 0 ? "no action" : string.Join(", ", results);
        return Spared(report) is { Count: > 0 } spared ? $"{done}; {spared.Count} spared" : done;
    }

    /// <summary>"another remediation holds this server's lock — heal from cli on host-1 since 22:50:00 UTC (PID 123)".</summary>
    public static string Holder(RemediationLockHolder? holder)
    {
        if (holder is null || holder.Pid == 0)
        {
            return "another remediation holds this server's lock";
        }

        var who = holder.Verb is null
            ? $"application '{holder.Application}'"
            : $"{holder.Verb} from {holder.Door} on {holder.Host}{(holder.Since is { } since ? $" since {since.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC" : string.Empty)}";
        return $"another remediation holds this server's lock — {who} (PID {holder.Pid}{(holder.Database is null ? string.Empty : $", database {holder.Database}")})";
    }

    private static List<SparedSession> Spared(RemediationReport report) =>
        report.Steps.SelectMany(s => s.Plan?.Spared ?? []).Where(s => s.Reason != SpareReason.OwnBackend).ToList();

    private static string StatusText(StepStatus status) => status switch
    {
        StepStatus.Planned => "planned",
        StepStatus.NothingToDo => "nothing to do",
        StepStatus.Done => "done",
        StepStatus.PartlyDone => "partly done",
        StepStatus.Skipped => "skipped",
        _ => "failed",
    };

    private static string Age(double? seconds) => seconds is { } s ? Duration.Format(TimeSpan.FromSeconds(s)) : "-";

    private static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
