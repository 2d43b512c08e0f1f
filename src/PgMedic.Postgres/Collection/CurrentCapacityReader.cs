using PgMedic.Core.Reporting;
using PgMedic.Postgres.Probing;
using PgMedic.Postgres.Targets;

namespace PgMedic.Postgres.Collection;

/// <summary>The server's usable slots and use right now, for a report's capacity items; null when it cannot be reached.</summary>
public static class CurrentCapacityReader
{
    public static async Task<CurrentCapacity?> ReadAsync(ConnectionTarget target, CancellationToken cancellationToken)
    {
        var (connection, _) = await Prober.ConnectAsync(target, TimeSpan.FromSeconds(10), ConnectionSettings.Collector, cancellationToken).ConfigureAwait(false);
        if (connection is null)
        {
            return null;
        }

        await using (connection.ConfigureAwait(false))
        {
            return CurrentCapacity.From(await SnapshotCollector.CollectAsync(connection, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false));
        }
    }
}
