using PgMedic.Core.Common;
using PgMedic.Core.Remediation;

namespace PgMedic.Postgres.Remediation;

/// <summary>
/// How a run of <c>terminate</c>, <c>cancel</c>, <c>heal</c> or <c>emergency</c> went, whichever door
/// started it: the JSON of the CLI verbs and of the monitor's action endpoints (docs/commands/heal.md).
/// </summary>
/// <param name="DryRun">True only when the plan was shown without being asked to run it.</param>
/// <param name="Healthy">After the run (or, when nothing ran, before it): none of the problems heal fixes is left; null when not judged.</param>
/// <param name="Holder">Who holds this server's remediation lock, when <see cref="Outcome"/> is busy.</param>
public sealed record RemediationReport(
    RemediationVerb Command,
    RemediationOrigin Origin,
    string Target,
    RunOutcome Outcome,
    bool DryRun,
    IReadOnlyList<StepReport> Steps,
    string? AuditLog,
    string? StoppedAt,
    string? NextStep,
    bool? Healthy,
    RemediationLockHolder? Holder,
    double ElapsedMilliseconds,
    ExitCode ExitCode);

/// <summary>One step: its plan, what happened to each action, hook output, and the check that followed.</summary>
public sealed record StepReport(
    string Name,
    string? RunbookStep,
    RemediationPlan? Plan,
    IReadOnlyList<ActionResult> Results,
    HookResult? Hook,
    Verification? Verification,
    StepStatus Status,
    double? ElapsedMilliseconds)
{
    /// <summary>Shown, not run: planned, or nothing to do when the plan is empty (unless <paramref name="emptyIsPlanned"/>).</summary>
    public static StepReport Planned(string name, string? runbookStep, RemediationPlan plan, bool emptyIsPlanned = false) =>
        new(name, runbookStep, plan, [], null, null, plan.IsEmpty && !emptyIsPlanned ? StepStatus.NothingToDo : StepStatus.Planned, null);

    /// <summary>Not run: the server was healthy already, or no hook was configured.</summary>
    public static StepReport Skipped(string name, string? runbookStep) => new(name, runbookStep, null, [], null, null, StepStatus.Skipped, null);

    /// <summary>A plan that ran: its results, the verification that followed, and how long both took.</summary>
    public static StepReport Executed(string name, string? runbookStep, RemediationPlan plan, IReadOnlyList<ActionResult> results, Verification verification, double milliseconds) =>
        new(name, runbookStep, plan, results, null, verification, results.All(r => r.Settled) ? StepStatus.Done : StepStatus.PartlyDone, milliseconds);

    /// <summary>A check on its own (emergency's verify step).</summary>
    public static StepReport Verified(string name, string? runbookStep, Verification verification, bool passed) =>
        new(name, runbookStep, null, [], null, verification, passed ? StepStatus.Done : StepStatus.Failed, null);

    /// <summary>The application's health URL, as it last answered.</summary>
    public HealthCheckResult? Health { get; init; }

    /// <summary>A planned hook step's command as it would run, password-free (a hook that ran shows it in <see cref="Hook"/>).</summary>
    public string? Command { get; init; }

    /// <summary>The URL a planned health check would poll: scheme, host, port and path (one that ran shows it in <see cref="Health"/>).</summary>
    public string? Url { get; init; }

    /// <summary>A hook shown, not run: planned with its command, or skipped when none is configured.</summary>
    public static StepReport PlannedHook(string name, string? runbookStep, string? shownCommand) => shownCommand is null
        ? Skipped(name, runbookStep)
        : new(name, runbookStep, null, [], null, null, StepStatus.Planned, null) { Command = shownCommand };

    /// <summary>A check shown, not run: emergency's verify, or a health URL.</summary>
    public static StepReport PlannedCheck(string name, string? runbookStep, string? url = null) =>
        new(name, runbookStep, null, [], null, null, StepStatus.Planned, null) { Url = url };

    /// <summary>A health URL polled until healthy or its deadline.</summary>
    public static StepReport OfHealth(HealthCheckResult health) =>
        new("health-check", null, null, [], null, null, health.Healthy ? StepStatus.Done : StepStatus.Failed, health.ElapsedMilliseconds) { Health = health };

    /// <summary>A hook that ran.</summary>
    public static StepReport OfHook(string name, string? runbookStep, HookResult hook) =>
        new(name, runbookStep, null, [], hook, null, hook.Succeeded ? StepStatus.Done : StepStatus.Failed, hook.ElapsedMilliseconds);
}
