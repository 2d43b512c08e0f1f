using System.Text.Json.Serialization;
using PgMedic.Core.Diagnosis;

namespace PgMedic.Core.Logs;

/// <summary>What <c>pgmedic logs</c> found (JSON contract, docs/commands/logs.md).</summary>
/// <param name="Kinds">Only the kinds that were seen, most frequent first.</param>
/// <param name="PerMinute">Minutes with at least one hit, in time order.</param>
/// <param name="Seconds">How long the reading took (<c>elapsedSeconds</c>).</param>
/// <param name="Untimed">Hits on lines without a time PgMedic could read (they count, but are not in the histogram).</param>
public sealed record LogReport(
    DiagnosisStatus Status,
    IReadOnlyList<string> Sources,
    long Lines,
    long Bytes,
    long Hits,
    long Untimed,
    DateTimeOffset? FirstSeen,
    DateTimeOffset? LastSeen,
    IReadOnlyList<LogKindSummary> Kinds,
    IReadOnlyList<LogMinute> PerMinute,
    [property: JsonPropertyName("elapsedSeconds")] double Seconds)
{
    public int ExitCode => Status switch
    {
        DiagnosisStatus.Ok => 0,
        DiagnosisStatus.Warning => 1,
        DiagnosisStatus.Critical => 2,
        _ => 3,
    };
}

/// <param name="Samples">The first few lines of this kind, passwords masked, cut at 300 characters.</param>
/// <param name="Drivers">The drivers, pools and ORMs the lines named (<see cref="LogDrivers.Names"/>); empty when no line said.</param>
public sealed record LogKindSummary(
    string Code,
    string Title,
    string Source,
    Severity Severity,
    long Count,
    DateTimeOffset? FirstSeen,
    DateTimeOffset? LastSeen,
    string RunbookStep,
    string Advice,
    IReadOnlyList<string> Samples,
    IReadOnlyList<string> Drivers);

/// <summary>One minute of the histogram: hits in total and per kind.</summary>
public sealed record LogMinute(DateTimeOffset Minute, long Total, IReadOnlyDictionary<string, long> ByKind);
