namespace PgMedic.Core.Remediation;

/// <summary>What a command intends to do, before it does anything: the actions and who was spared, and why.</summary>
public sealed record RemediationPlan(string Title, IReadOnlyList<PlannedAction> Actions, IReadOnlyList<SparedSession> Spared)
{
    public bool IsEmpty => Actions.Count == 0;
}
