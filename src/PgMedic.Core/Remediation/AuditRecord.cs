using PgMedic.Core.Diagnosis;

namespace PgMedic.Core.Remediation;

/// <summary>
/// One line of the audit log. Written before an action runs (<c>event = "action-started"</c>) and after
/// (<c>"action-finished"</c> with its result), so that a run killed midway still shows what it was doing.
/// </summary>
public sealed record AuditRecord
{
    public required DateTimeOffset Time { get; init; }

    /// <summary>Groups the records of one command run.</summary>
    public required string RunId { get; init; }

    public required string Operator { get; init; }

    /// <summary>The masked target: never a password.</summary>
    public required string Target { get; init; }

    /// <summary>The door the run came through: <c>cli</c>, <c>serve</c> (the monitor's API), <c>top</c>.</summary>
    public string? Origin { get; init; }

    /// <summary><c>findings</c>, <c>plan</c>, <c>action-started</c>, <c>action-finished</c>, <c>verification</c>, <c>hook-started</c>, <c>hook-finished</c>, <c>stopped</c> (a playbook stopped at <c>Step</c>; <c>Detail</c> says what next).</summary>
    public required string Event { get; init; }

    public string? Command { get; init; }

    public string? Step { get; init; }

    public PlannedAction? Action { get; init; }

    public RemediationPlan? Plan { get; init; }

    public string? Result { get; init; }

    public string? Detail { get; init; }

    public double? DurationMilliseconds { get; init; }

    public int? ExitCode { get; init; }

    public string? Output { get; init; }

    /// <summary>On <c>findings</c> records: what the diagnosis found before anything was done (with app call sites when known).</summary>
    public IReadOnlyList<Finding>? Findings { get; init; }

    /// <summary>On <c>verification</c> records: client connections before and after, and whether the server was healthy.</summary>
    public int? ClientBackendsBefore { get; init; }

    public int? ClientBackendsAfter { get; init; }

    /// <summary>Percent of usable slots (<c>percentOfUsableBefore</c> elsewhere): the audit log keeps its own names so older files still read (docs/json.md).</summary>
    public double? PercentBefore { get; init; }

    public double? PercentAfter { get; init; }

    public bool? Healthy { get; init; }
}
