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

        var usage = context.Usage;
        var counted = usage.Exact
            ? string.Empty
            : $"; {usage.UnclassifiedSessions} of their sessions may be client backends or background workers, so usage is a range ({usage.InUse()} of {usage.UsableSlots})";
        yield return new Finding(
            FindingCodes.LimitedVisibility,
            Severity.Info,
            $"this role cannot see other roles' session types, states and queries{counted}; idle and idle-in-transaction findings may be missing",
            visibility.Limitations,
            [],
            RunbookStep.InitialAssessment,
            Fix.Say($"{visibility.Grant()};  (or pg_read_all_stats, or connect as a superuser)"));
    }
}
