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
        await using var deadline = new CommandDeadline(timeout, TimeProvider.System, cancellationToken);
        var (report, _) = await RunWithSnapshotAsync(target, deadline, options, null).ConfigureAwait(false);
        return report;
    }

    /// <summary>The diagnosis bounded by <paramref name="timeout"/> as a whole.</summary>
    public static async Task<(DiagnosisReport Report, Snapshot? Snapshot)> RunWithSnapshotAsync(
        ConnectionTarget target, TimeSpan timeout, DiagnosisOptions options, (IReadOnlyList<Uri> Endpoints, string? Token)? pools, CancellationToken cancellationToken)
    {
        await using var deadline = new CommandDeadline(timeout, TimeProvider.System, cancellationToken);
        return await RunWithSnapshotAsync(target, deadline, options, pools).ConfigureAwait(false);
    }

    /// <param name="deadline">Bounds the whole diagnosis: the connect, the snapshot and the pool endpoints share it.</param>
    /// <param name="pools">Services' PgMedic.Guard <c>/health/pool</c> endpoints to read alongside, and a bearer token for them.</param>
    /// <returns>The report, and the snapshot it came from (null when the server could not be read in time).</returns>
    public static async Task<(DiagnosisReport Report, Snapshot? Snapshot)> RunWithSnapshotAsync(
        ConnectionTarget target, CommandDeadline deadline, DiagnosisOptions options, (IReadOnlyList<Uri> Endpoints, string? Token)? pools)
    {
        ArgumentNullException.ThrowIfNull(deadline);
        var reading = ReadPoolsAsync(pools, deadline);
        var (connection, probe) = await deadline.ConnectAsync(target, ConnectionSettings.OneShot).ConfigureAwait(false);
        if (connection is null)
        {
            return (DiagnosisReport.FromFailedProbe(probe) with { Pools = await reading.ConfigureAwait(false) }, null);
        }

        // The deadline owns the connection and closes it.
        var (snapshot, failure) = await deadline.ReadAsync(probe, (left, token) => SnapshotCollector.CollectAsync(connection, left, token)).ConfigureAwait(false);
        if (snapshot is null)
        {
            return (DiagnosisReport.FromFailedProbe(failure!) with { Pools = await reading.ConfigureAwait(false) }, null);
        }

        // No SELECT 1 runs here: the probe's queryMilliseconds stays null, and the collection's own time is the report's collectMilliseconds.
        return (DiagnosisReport.FromSnapshot(probe, snapshot, options, await reading.ConfigureAwait(false)), snapshot);
    }

    private static async Task<IReadOnlyList<AppPool>?> ReadPoolsAsync((IReadOnlyList<Uri> Endpoints, string? Token)? pools, CommandDeadline deadline)
    {
        if (pools is not { Endpoints.Count: > 0 } p)
        {
            return null;
        }

        using var http = new HttpClient { Timeout = deadline.Remaining };
        return await Task.WhenAll(p.Endpoints.Select(e => PoolEndpointClient.ReadAsync(http, e, p.Token, deadline.CallerToken))).ConfigureAwait(false);
    }
}
