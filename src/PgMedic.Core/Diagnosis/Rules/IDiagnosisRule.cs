using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Diagnosis.Rules;

/// <summary>One check over a snapshot. Rules are pure: same snapshot and options, same findings.</summary>
public interface IDiagnosisRule
{
    IEnumerable<Finding> Evaluate(DiagnosisContext context);
}

/// <summary>What a rule sees.</summary>
public sealed record DiagnosisContext(Snapshot Snapshot, DiagnosisOptions Options, Usage Usage)
{
    public DateTimeOffset Now => Snapshot.TakenAt;
}
