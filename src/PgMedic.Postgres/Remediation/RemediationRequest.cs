using PgMedic.Core.Diagnosis;
using PgMedic.Core.Remediation;

namespace PgMedic.Postgres.Remediation;

/// <summary>What a door asks the engine to do: the verb, who asks, and the settings of that verb.</summary>
public sealed record RemediationRequest
{
    public required RemediationVerb Verb { get; init; }

    public required RemediationOrigin Origin { get; init; }

    public required string AuditLogPath { get; init; }

    /// <summary>The guardrails; the target database and PgMedic's own PID are filled in from the snapshot.</summary>
    public GuardrailOptions Guardrails { get; init; } = new();

    /// <summary>heal's thresholds.</summary>
    public HealOptions Heal { get; init; } = new();

    /// <summary>The thresholds verification judges with (a monitor target's own); heal's override the ones it acts on.</summary>
    public DiagnosisOptions Thresholds { get; init; } = new();

    /// <summary>Which sessions terminate and cancel mean.</summary>
    public SessionSelection Selection { get; init; } = new();

    public ExecutionOptions Execution { get; init; } = ExecutionOptions.Direct;

    /// <summary>emergency's hooks.</summary>
    public HookSettings Hooks { get; init; } = HookSettings.None;

    /// <summary>heal and emergency: recovery is declared only when each of these answers healthy (runbook Verification 3).</summary>
    public IReadOnlyList<Uri> HealthUrls { get; init; } = [];

    /// <summary>How long the health URLs may take to turn healthy.</summary>
    public TimeSpan HealthTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How often a health URL is asked again.</summary>
    public TimeSpan HealthInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long collecting a snapshot may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// When a one-shot run (terminate, cancel) must be over: waiting for backends to exit shrinks to fit,
    /// and what has not exited by then is reported not confirmed. Null for heal and emergency, whose
    /// steps each wait their own 5 s.
    /// </summary>
    public DateTimeOffset? Deadline { get; init; }
}

/// <summary>What a door is asked to confirm: the plans as they stand, and the database they act in.</summary>
public sealed record ConfirmationRequest(RemediationVerb Verb, string Database, IReadOnlyList<RemediationPlan> Plans)
{
    public int Sessions => Plans.Sum(p => p.Actions.Count);

    public int Steps => Plans.Count(p => !p.IsEmpty);
}

/// <summary>A door's answer.</summary>
public enum Confirmation
{
    /// <summary>Run it.</summary>
    Confirmed,

    /// <summary>Nobody was asked (no <c>--yes</c>, no terminal, a dry-run request): show the plan only.</summary>
    NotAsked,

    /// <summary>Asked, and the answer was no.</summary>
    Declined,
}

/// <summary>Each door's confirmation: a terminal prompt, <c>--yes</c>, an HTTP request flag, a dialog in <c>top</c>.</summary>
public delegate Task<Confirmation> ConfirmRemediation(ConfirmationRequest request, CancellationToken cancellationToken);

/// <summary>The request is invalid (for example contradictory guardrails): nothing was done.</summary>
public sealed class InvalidRemediationRequestException(string message) : Exception(message);
