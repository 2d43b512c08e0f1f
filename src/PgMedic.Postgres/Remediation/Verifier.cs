using Npgsql;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Probing;
using PgMedic.Core.Remediation;
using PgMedic.Core.Snapshots;
using PgMedic.Postgres.Collection;
using PgMedic.Postgres.Probing;
using PgMedic.Postgres.Targets;

namespace PgMedic.Postgres.Remediation;

/// <summary>Before and after numbers of a remediation, and whether service came back.</summary>
public sealed record Verification(
    int ClientBackendsBefore,
    int ClientBackendsAfter,
    double PercentOfUsableBefore,
    double PercentOfUsableAfter,
    ProbeResult Probe,
    bool Healthy,
    IReadOnlyList<Finding> Findings)
{
    public int Freed => ClientBackendsBefore - ClientBackendsAfter;
}

/// <summary>Re-collects over PgMedic's connection and probes with a fresh one, exactly as an application would connect.</summary>
public static class Verifier
{
    public static async Task<(Verification Verification, Snapshot After)> VerifyAsync(
        ConnectionTarget target, NpgsqlConnection connection, Snapshot before, DiagnosisOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(before);
        var after = await SnapshotCollector.CollectAsync(connection, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        var probe = await Prober.ProbeAsync(target, TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        var findings = Diagnoser.Diagnose(after, options);
        var (usageBefore, usageAfter) = (Usage.From(before), Usage.From(after));
        var verification = new Verification(
            usageBefore.ClientBackends,
            usageAfter.ClientBackends,
            usageBefore.PercentOfUsable,
            usageAfter.PercentOfUsable,
            probe,
            probe.Outcome == ProbeOutcome.Accepting && HealPlanner.IsHealthy(findings),
            findings);
        return (verification, after);
    }
}
