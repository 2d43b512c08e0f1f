using PgMedic.Core.Diagnosis.Rules;
using PgMedic.Core.Probing;
using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Diagnosis;

/// <summary>Runs every rule over a snapshot, or explains the failed probe when there is no snapshot.</summary>
public static class Diagnoser
{
    public static IReadOnlyList<IDiagnosisRule> Rules { get; } =
    [
        new ConnectionSaturationRule(),
        new DatabaseLimitRule(),
        new RoleLimitRule(),
        new IdleInTransactionRule(),
        new IdleConnectionHoardingRule(),
        new LongRunningQueryRule(),
        new BlockingChainRule(),
        new MissingTimeoutsRule(),
        new LimitedVisibilityRule(),
    ];

    /// <summary>Findings ordered by severity (critical first), then by rule order.</summary>
    public static IReadOnlyList<Finding> Diagnose(Snapshot snapshot, DiagnosisOptions options) =>
        Diagnose(snapshot, options, Usage.From(snapshot));

    /// <summary>The same, with the snapshot's usage already counted (a report shows it beside the findings).</summary>
    internal static IReadOnlyList<Finding> Diagnose(Snapshot snapshot, DiagnosisOptions options, Usage usage)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        var context = new DiagnosisContext(snapshot, options, usage);
        return Rules.SelectMany(rule => rule.Evaluate(context))
            .Select((finding, index) => (finding, index))
            .OrderByDescending(x => x.finding.Severity)
            .ThenBy(x => x.index)
            .Select(x => x.finding)
            .ToList();
    }

    /// <summary>
    /// When the collector could not connect, the probe still says why: the server is full, refuses
    /// this login, or does not answer.
    /// </summary>
    public static Finding FromFailedProbe(ProbeResult probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        if (FullServer.RefusesEveryone(probe))
        {
            // Nobody can log in to look, so the fix is what needs no new connection — never "as a superuser".
            return new Finding(
                FindingCodes.ConnectionRejected,
                Severity.Critical,
                $"the server refuses every login, superusers' too: {probe.Reason} ({probe.Message})",
                [$"SQLSTATE {probe.SqlState}: {probe.Message}", FullServer.RefusesEveryoneSummary + "; what still works:", .. FullServer.Exits.Select((exit, i) => $"{i + 1}. {exit}")],
                [],
                RunbookStep.EmergencyRestart,
                Fix.Say(FullServer.ExitsInBrief),
                probe.Reason);
        }

        if (probe.Outcome == ProbeOutcome.Rejecting)
        {
            var reservedLeft = FullServer.ReservedSlotsLeft(probe);
            return new Finding(
                FindingCodes.ConnectionRejected,
                reservedLeft || probe.Reason is ProbeReason.ShuttingDown or ProbeReason.StartingUp or ProbeReason.Recovery ? Severity.Critical : Severity.Warning,
                $"the server refuses this login: {probe.Reason} ({probe.Message})",
                reservedLeft ? [$"SQLSTATE {probe.SqlState}: {probe.Message}", FullServer.ReservedSlotsLeftSummary] : [$"SQLSTATE {probe.SqlState}: {probe.Message}"],
                [],
                reservedLeft ? RunbookStep.ResetConnectionPool : RunbookStep.InitialAssessment,
                reservedLeft
                    ? Fix.Run(FixVerb.Diagnose, new FixOptions { AsSuperuser = true }, "the superuser-reserved slots still admit a superuser; then heal")
                    : Fix.Say(probe.Advice ?? "check the target and the server log"),
                probe.Reason);
        }

        return new Finding(
            FindingCodes.ServerUnreachable,
            Severity.Critical,
            $"no response from the server: {probe.Reason} ({probe.Message})",
            [probe.Message ?? probe.Reason ?? "no response"],
            [],
            probe.Reason == ProbeReason.Refused ? RunbookStep.EmergencyRestart : RunbookStep.InitialAssessment,
            Fix.Say(probe.Advice ?? "check that the server runs and the network path to it"),
            probe.Reason);
    }

    public static DiagnosisStatus StatusOf(IEnumerable<Finding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var worst = findings.Select(f => (Severity?)f.Severity).DefaultIfEmpty(null).Max();
        return worst switch
        {
            Severity.Critical => DiagnosisStatus.Critical,
            Severity.Warning => DiagnosisStatus.Warning,
            _ => DiagnosisStatus.Ok,
        };
    }
}
