using PgMedic.Core.Diagnosis;

namespace PgMedic.Core.Alerts;

/// <summary>One application's client backends in a sample.</summary>
public sealed record AppConnections(string Application, int Total, int Idle, int IdleInTransaction);

/// <summary>A finding as kept in history: enough to alert on and to show, not the whole evidence.</summary>
public sealed record SampleFinding(string Code, Severity Severity, string? Subject, string Summary);

/// <summary>
/// What the monitor saw of one target at one poll: the fresh connection attempt an application would
/// make, the services' pool counters (with it, the runbook's failure rate), and — when the lifeline could
/// read it — usage by state and by application, and the diagnosis findings. Alert rules are pure
/// functions over a list of these.
/// </summary>
/// <param name="ProbeSucceeded">The fresh, unpooled connection and <c>SELECT 1</c> succeeded.</param>
/// <param name="ProbeReason">Why the probe failed (<see cref="Probing.ProbeReason"/>); null when it succeeded.</param>
/// <param name="Collected">The lifeline read a snapshot; when false the usage fields are zero.</param>
public sealed record MonitorSample(
    DateTimeOffset At,
    bool ProbeSucceeded,
    string? ProbeReason,
    double? ProbeLatencyMilliseconds,
    bool Collected,
    int ClientBackends,
    int UsableSlots,
    int MaxConnections,
    double PercentUsed,
    IReadOnlyDictionary<string, int> ByState,
    IReadOnlyList<AppConnections> ByApplication,
    IReadOnlyList<SampleFinding> Findings)
{
    /// <summary>The fewest client backends there can be, when the role could not see every session's type (then <see cref="ClientBackends"/> is the most); null when exact or not kept.</summary>
    public int? ClientBackendsMin { get; init; }

    /// <summary>What each of the target's pool endpoints answered at this poll (empty when none is configured).</summary>
    public IReadOnlyList<PoolEndpointReading> PoolEndpoints { get; init; } = [];

    /// <summary>
    /// The services' failure ratio over the failure rule's window as of this sample (<see cref="FailureRates"/>),
    /// kept with the sample for the history charts; null without pool endpoints or without checkouts.
    /// </summary>
    public double? ApplicationFailureRatio { get; init; }

    public static MonitorSample FromReport(DateTimeOffset at, DiagnosisReport report, bool probeSucceeded, string? probeReason, double? probeLatencyMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(report);
        var findings = report.Findings.Select(f => new SampleFinding(f.Code, f.Severity, f.Subject, f.Summary)).ToList();
        var endpoints = (report.Pools ?? []).Select(PoolEndpointReading.From).ToList();
        if (report.Usage is not { } usage || report.Groups is not { } groups)
        {
            return Unreadable(at, probeSucceeded, probeReason, probeLatencyMilliseconds, findings) with { PoolEndpoints = endpoints };
        }

        return new MonitorSample(
            at,
            probeSucceeded,
            probeReason,
            probeLatencyMilliseconds,
            true,
            usage.ClientBackends,
            usage.UsableSlots,
            usage.MaxConnections,
            usage.PercentOfUsable,
            usage.ByState,
            groups.ByApplication.Select(g => new AppConnections(g.Name, g.Total, g.Idle, g.IdleInTransaction)).ToList(),
            findings)
        {
            ClientBackendsMin = usage.Exact ? null : usage.ClientBackendsMin,
            PoolEndpoints = endpoints,
        };
    }

    public static MonitorSample Unreadable(DateTimeOffset at, bool probeSucceeded, string? probeReason, double? probeLatencyMilliseconds, IReadOnlyList<SampleFinding> findings) =>
        new(at, probeSucceeded, probeReason, probeLatencyMilliseconds, false, 0, 0, 0, 0, new Dictionary<string, int>(), [], findings);
}
