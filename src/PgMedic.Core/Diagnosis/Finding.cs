using System.Text.Json.Serialization;

namespace PgMedic.Core.Diagnosis;

/// <summary>One thing wrong (or worth knowing), with the evidence, the sessions involved and the fix.</summary>
/// <param name="Code">Stable code from <see cref="FindingCodes"/>.</param>
/// <param name="Summary">One line a person reads first.</param>
/// <param name="Evidence">The numbers behind the summary, one fact a line.</param>
/// <param name="Pids">Backend PIDs involved, for <c>terminate</c>/<c>cancel</c> and for joining with app-side holders.</param>
/// <param name="RunbookStep">The runbook step this finding maps to (<see cref="Diagnosis.RunbookStep"/>).</param>
/// <param name="Fix">What fixes it: a PgMedic verb with its options as data, and advice in plain words.</param>
/// <param name="Subject">What the finding is about: an application, role, database or PID; null for the whole server.</param>
/// <param name="Holders">Application call sites holding these sessions, when services' <c>/health/pool</c> were read.</param>
public sealed record Finding(
    string Code,
    Severity Severity,
    string Summary,
    IReadOnlyList<string> Evidence,
    IReadOnlyList<int> Pids,
    string RunbookStep,
    Fix Fix,
    string? Subject = null,
    IReadOnlyList<AppHolder>? Holders = null)
{
    /// <summary>
    /// The sessions whose application call sites explain this finding, when not all of <see cref="Pids"/>:
    /// a lock chain is held where its head was checked out; its waiters only queue behind it.
    /// </summary>
    [JsonIgnore]
    public IReadOnlyList<int>? CallSitePids { get; init; }
}
