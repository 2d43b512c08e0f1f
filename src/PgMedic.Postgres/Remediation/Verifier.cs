using System.Diagnostics;
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
    /// <param name="within">
    /// What is left of a one-shot command's deadline, shared by the re-collect and the fresh probe (a
    /// frozen postmaster makes the probe wait all of it); null for the defaults of 10 s and 5 s.
    /// </param>
    public static async Task<(Verification Verification, Snapshot After)> VerifyAsync(
        ConnectionTarget target, NpgsqlConnection connection, Snapshot before, DiagnosisOptions options, CancellationToken cancellationToken, TimeSpan? within = null)
    {
        ArgumentNullException.ThrowIfNull(before);
        var started = Stopwatch.GetTimestamp();
        var after = await SnapshotCollector.CollectAsync(connection, within ?? TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        var probeFor = within is { } budget ? Max(budget - Stopwatch.GetElapsedTime(started), TimeSpan.FromMilliseconds(100)) : TimeSpan.FromSeconds(5);
        var probe = await Prober.ProbeAsync(target, probeFor, cancellationToken).ConfigureAwait(false);
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

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
