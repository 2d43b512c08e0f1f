using PgMedic.Core.Remediation;
using PgMedic.Postgres.Remediation;

namespace PgMedic.Cli.Remediation;

/// <summary>The JSON of <c>terminate</c>, <c>cancel</c>, <c>heal</c> and <c>emergency</c> (docs/commands/heal.md).</summary>
internal sealed record RemediationReport(
    string Command,
    string Target,
    bool DryRun,
    IReadOnlyList<StepReport> Steps,
    string? AuditLog,
    string? StoppedAt,
    string? NextStep,
    double? ElapsedMilliseconds);

/// <summary>One step: its plan, what happened to each action, hook output, and the check that followed.</summary>
internal sealed record StepReport(
    string Name,
    string? RunbookStep,
    RemediationPlan? Plan,
    IReadOnlyList<ActionResult> Results,
    HookResult? Hook,
    Verification? Verification,
    string Status,
    double? Milliseconds);
