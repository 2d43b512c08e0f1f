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
    double? Milliseconds)
{
    public static StepReport Planned(string name, string? runbookStep, RemediationPlan plan) =>
        new(name, runbookStep, plan, [], null, null, plan.IsEmpty ? StepStatus.NothingToDo : StepStatus.Planned, null);
}
