using PgMedic.Core.Diagnosis;

namespace PgMedic.Core.Logs;

/// <summary>What <c>pgmedic logs</c> has seen so far while lines still arrive: the live view's numbers.</summary>
/// <param name="Kinds">The kinds seen so far, most frequent first.</param>
/// <param name="Newest">The newest line of trouble, passwords masked; null until one arrives.</param>
/// <param name="Reading">How long the input has been read.</param>
public sealed record LogLiveSummary(
    DiagnosisStatus Status,
    IReadOnlyList<string> Sources,
    long Lines,
    long Hits,
    IReadOnlyList<LogLiveKind> Kinds,
    LogLiveSample? Newest,
    TimeSpan Reading);

/// <param name="LastMinute">Hits of this kind that arrived in the last minute (by arrival, not by the time in the line).</param>
public sealed record LogLiveKind(string Code, Severity Severity, string RunbookStep, long Count, long LastMinute, IReadOnlyList<string> Drivers);

/// <param name="Arrived">When the line was read.</param>
public sealed record LogLiveSample(string Code, string Line, DateTimeOffset Arrived);
