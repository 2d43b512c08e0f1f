using PgMedic.Core.Diagnosis;
using PgMedic.Core.Snapshots;
using PgMedic.Postgres.Probing;
using PgMedic.Postgres.Targets;

namespace PgMedic.Postgres.Collection;

/// <summary>
/// Probe and collect over one connection — a diagnosis adds exactly one session to the server, and
/// when the server refuses that one the probe's reason becomes the finding.
/// </summary>
public static class DiagnosisRunner
{
    public static async Task<DiagnosisReport> RunAsync(ConnectionTarget target, TimeSpan timeout, DiagnosisOptions options, CancellationToken cancellationToken)
    {
        var (report, _) = await RunWithSnapshotAsync(target, timeout, options, cancellationToken).ConfigureAwait(false);
        return report;
    }

    /// <returns>The report, and the snapshot it came from (null when the server could not be read).</returns>
    public static async Task<(DiagnosisReport Report, Snapshot? Snapshot)> RunWithSnapshotAsync(ConnectionTarget target, TimeSpan timeout, DiagnosisOptions options, CancellationToken cancellationToken)
    {
        var (connection, probe) = await Prober.ConnectAsync(target, timeout, ConnectionSettings.Collector, cancellationToken).ConfigureAwait(false);
        if (connection is null)
        {
            return (DiagnosisReport.FromFailedProbe(probe), null);
        }

        await using (connection.ConfigureAwait(false))
        {
            var snapshot = await SnapshotCollector.CollectAsync(connection, timeout, cancellationToken).ConfigureAwait(false);
            probe = probe with { QueryMilliseconds = Math.Round(snapshot.CollectMilliseconds, 2) };
            return (DiagnosisReport.FromSnapshot(probe, snapshot, options), snapshot);
        }
    }
}
