using System.Text.Json.Serialization;
using PgMedic.Core.PgBouncer;
using PgMedic.Core.Probing;
using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Diagnosis;

/// <summary>
/// The whole answer of <c>pgmedic diagnose</c>, in the shape of its JSON (documented in docs/commands/diagnose.md).
/// <see cref="Server"/>, <see cref="Usage"/> and <see cref="Groups"/> are null when PgMedic could not connect.
/// </summary>
public sealed record DiagnosisReport(
    DiagnosisStatus Status,
    string Target,
    DateTimeOffset? TakenAt,
    ProbeResult Probe,
    ServerSummary? Server,
    Usage? Usage,
    SessionGroups? Groups,
    IReadOnlyList<Finding> Findings,
    Visibility? Visibility,
    double? CollectMilliseconds,
    IReadOnlyList<AppPool>? Pools = null)
{
    public int ExitCode => Status switch
    {
        DiagnosisStatus.Ok => 0,
        DiagnosisStatus.Warning => 1,
        DiagnosisStatus.Critical => 2,
        _ => 3,
    };

    /// <summary>The pool in front of the server, when diagnosed with <c>--pgbouncer</c>; absent from the JSON otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PgBouncerReport? PgBouncer { get; init; }

    public static DiagnosisReport FromSnapshot(ProbeResult probe, Snapshot snapshot, DiagnosisOptions options, IReadOnlyList<AppPool>? pools = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(snapshot);
        var usage = Usage.From(snapshot);
        var findings = HolderJoin.WithReportedLeaks(
            HolderJoin.Annotate(Diagnoser.Diagnose(snapshot, options, usage), pools ?? []),
            pools ?? [],
            snapshot.ClientBackends.Select(s => s.Pid).ToHashSet());
        return new DiagnosisReport(
            Diagnoser.StatusOf(findings),
            probe.Target,
            snapshot.TakenAt,
            probe,
            ServerSummary.From(snapshot),
            usage,
            SessionGroups.From(snapshot),
            findings,
            snapshot.Visibility,
            Math.Round(snapshot.CollectMilliseconds, 2),
            pools);
    }

    public static DiagnosisReport FromFailedProbe(ProbeResult probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var finding = Diagnoser.FromFailedProbe(probe);
        var status = probe.Outcome == ProbeOutcome.NoAttempt ? DiagnosisStatus.Unknown : Diagnoser.StatusOf([finding]);
        return new DiagnosisReport(status, probe.Target, null, probe, null, null, null, [finding], null, null);
    }
}

/// <summary>The server facts shown at the top of a diagnosis.</summary>
public sealed record ServerSummary(
    string Version,
    int MaxConnections,
    int SuperuserReservedConnections,
    int ReservedConnections,
    int UsableSlots,
    double IdleInTransactionSessionTimeoutSeconds,
    double IdleSessionTimeoutSeconds,
    double StatementTimeoutSeconds)
{
    public static ServerSummary From(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var s = snapshot.Server;
        var t = snapshot.Timeouts;
        return new ServerSummary(s.Version, s.MaxConnections, s.SuperuserReservedConnections, s.ReservedConnections, s.UsableSlots, t.IdleInTransactionSessionTimeout.TotalSeconds, t.IdleSessionTimeout.TotalSeconds, t.StatementTimeout.TotalSeconds);
    }
}
