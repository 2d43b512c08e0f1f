namespace PgMedic.Core.Diagnosis.Rules;

/// <summary>Says what the collector's role could not see, so a clean bill of health is not mistaken for one.</summary>
internal sealed class LimitedVisibilityRule : IDiagnosisRule
{
    public IEnumerable<Finding> Evaluate(DiagnosisContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var visibility = context.Snapshot.Visibility;
        if (visibility.SeesAllSessions)
        {
            yield break;
        }

        yield return new Finding(
            FindingCodes.LimitedVisibility,
            Severity.Info,
            "this role cannot see other roles' session states and queries; idle and idle-in-transaction findings may be missing",
            visibility.Limitations,
            [],
            RunbookStep.InitialAssessment,
            Fix.Say("GRANT pg_monitor TO <this role>;  (or connect as a superuser)"));
    }
}
