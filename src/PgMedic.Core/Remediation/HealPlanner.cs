using PgMedic.Core.Common;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Remediation;

/// <summary>The thresholds of <c>pgmedic heal</c>; defaults are diagnose's warning threshold and the runbook's step 1.</summary>
public sealed record HealOptions
{
    public TimeSpan IdleInTransactionFor { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan IdleFor { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan BlockingWaitingFor { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// "Healthy" judged with heal's own thresholds, so a step is not skipped for sessions heal would take;
    /// everything else from <paramref name="baseline"/> (a monitor target's thresholds, or the defaults).
    /// </summary>
    public DiagnosisOptions Diagnosis(DiagnosisOptions? baseline = null)
    {
        var b = baseline ?? new DiagnosisOptions();
        return b with
        {
            IdleInTransactionWarning = IdleInTransactionFor,
            IdleInTransactionCritical = IdleInTransactionFor > b.IdleInTransactionCritical ? IdleInTransactionFor : b.IdleInTransactionCritical,
            HoardingIdleFor = IdleFor,
            BlockingWarning = BlockingWaitingFor,
            BlockingCritical = BlockingWaitingFor > b.BlockingCritical ? BlockingWaitingFor : b.BlockingCritical,
        };
    }
}

/// <summary>One step of a heal: a name, the runbook step it automates, and its plan.</summary>
public sealed record HealStep(string Name, string RunbookStep, RemediationPlan Plan);

/// <summary>
/// Builds the runbook's plan from a snapshot, in the order it is run: sessions idle in a transaction,
/// then stale idle sessions (runbook step 1), then heads of lock chains. A session appears in one step only.
/// </summary>
public static class HealPlanner
{
    public const string IdleInTransactionStep = "idle-in-transaction";
    public const string IdleStep = "idle";
    public const string LockChainStep = "lock-chain-heads";

    public static IReadOnlyList<string> StepOrder { get; } = [IdleInTransactionStep, IdleStep, LockChainStep];

    public static IReadOnlyList<HealStep> Plan(Snapshot snapshot, HealOptions options, GuardrailOptions guardrails)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var taken = new HashSet<int>();
        return StepOrder.Select(step => PlanStep(step, snapshot, options, guardrails, taken)).ToList();
    }

    /// <summary>
    /// One step planned against a (fresh) snapshot; <paramref name="taken"/> holds PIDs already planned by
    /// earlier steps, which also count against the run's <c>--max</c>.
    /// </summary>
    public static HealStep PlanStep(string step, Snapshot snapshot, HealOptions options, GuardrailOptions guardrails, ISet<int> taken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(taken);
        var (selection, reason, runbookStep) = step switch
        {
            IdleInTransactionStep => (
                new SessionSelection { State = "idle-in-transaction", InStateFor = options.IdleInTransactionFor },
                $"idle in an open transaction for ≥ {Duration.Format(options.IdleInTransactionFor)}",
                RunbookStep.IdentifyConnectionLeaks),
            IdleStep => (
                new SessionSelection { State = "idle", InStateFor = options.IdleFor },
                $"idle for ≥ {Duration.Format(options.IdleFor)} (runbook step 1)",
                RunbookStep.ResetConnectionPool),
            LockChainStep => (
                new SessionSelection { BlockingWaitingFor = options.BlockingWaitingFor },
                $"head of a lock chain whose waiters waited ≥ {Duration.Format(options.BlockingWaitingFor)}",
                RunbookStep.IdentifyConnectionLeaks),
            _ => throw new ArgumentOutOfRangeException(nameof(step), step, "unknown heal step"),
        };
        var candidates = selection.Match(snapshot)
            .Where(s => !taken.Contains(s.Pid))
            .Select(s => (s, SessionAction.Terminate, reason));
        var plan = Guardrails.Apply($"{step}: terminate sessions {reason}", candidates, snapshot.TakenAt, guardrails, alreadyPlanned: taken.Count);
        foreach (var action in plan.Actions)
        {
            taken.Add(action.Pid);
        }

        return new HealStep(step, runbookStep, plan);
    }

    /// <summary>
    /// Healthy for heal's purposes: none of the problems heal fixes is at warning or worse. Long queries
    /// and missing timeouts are left to <c>cancel</c> and to prevention.
    /// </summary>
    public static bool IsHealthy(IEnumerable<Finding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        string[] healable = [FindingCodes.ConnectionSaturation, FindingCodes.IdleInTransaction, FindingCodes.IdleConnectionHoarding, FindingCodes.BlockingChain, FindingCodes.ConnectionRejected, FindingCodes.ServerUnreachable];
        return !findings.Any(f => f.Severity >= Severity.Warning && healable.Contains(f.Code));
    }
}
