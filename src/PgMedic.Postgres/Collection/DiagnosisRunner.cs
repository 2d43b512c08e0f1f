using PgMedic.Core.Diagnosis;
using PgMedic.Postgres.AppPools;
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
        var (report, _) = await RunWithSnapshotAsync(target, timeout, options, null, cancellationToken).ConfigureAwait(false);
        return report;
    }

    /// <param name="pools">Services' PgMedic.Guard <c>/health/pool</c> endpoints to read alongside, and a bearer token for them.</param>
    /// <returns>The report, and the snapshot it came from (null when the server could not be read).</returns>
    public static async Task<(DiagnosisReport Report, Snapshot? Snapshot)> RunWithSnapshotAsync(
        ConnectionTarget target, TimeSpan timeout, DiagnosisOptions options, (IReadOnlyList<Uri> Endpoints, string? Token)? pools, CancellationToken cancellationToken)
    {
        var reading = ReadPoolsAsync(pools, timeout, cancellationToken);
        var (connection, probe) = await Prober.ConnectAsync(target, timeout, ConnectionSettings.Collector, cancellationToken).ConfigureAwait(false);
        if (connection is null)
        {
            return (DiagnosisReport.FromFailedProbe(probe) with { Pools = await reading.ConfigureAwait(false) }, null);
        }

        await using (connection.ConfigureAwait(false))
        {
            // No SELECT 1 runs here: the probe's queryMilliseconds stays null, and the collection's own time is the report's collectMilliseconds.
            var snapshot = await SnapshotCollector.CollectAsync(connection, timeout, cancellationToken).ConfigureAwait(false);
            return (DiagnosisReport.FromSnapshot(probe, snapshot, options, await reading.ConfigureAwait(false)), snapshot);
        }
    }

    private static async Task<IReadOnlyList<AppPool>?> ReadPoolsAsync((IReadOnlyList<Uri> Endpoints, string? Token)? pools, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (pools is not { Endpoints.Count: > 0 } p)
        {
            return null;
        }

        using var http = new HttpClient { Timeout = timeout };
        return await Task.WhenAll(p.Endpoints.Select(e => PoolEndpointClient.ReadAsync(http, e, p.Token, cancellationToken))).ConfigureAwait(false);
    }
}
