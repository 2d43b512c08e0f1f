using Npgsql;
using PgMedic.Core.Probing;
using PgMedic.Core.Snapshots;
using PgMedic.Postgres.Probing;
using PgMedic.Postgres.Targets;

namespace PgMedic.Postgres.Collection;

/// <summary>
/// One collector connection kept open for a whole session of repeated snapshots (<c>pgmedic top</c>):
/// a refresh never adds a connection. When the server drops it, the next snapshot opens one
/// replacement — still never more than one at a time.
/// </summary>
public sealed class CollectorConnection : IAsyncDisposable
{
    private readonly ConnectionTarget _target;
    private readonly TimeSpan _timeout;
    private NpgsqlConnection? _connection;

    private CollectorConnection(ConnectionTarget target, TimeSpan timeout, NpgsqlConnection connection)
    {
        _target = target;
        _timeout = timeout;
        _connection = connection;
        ConnectionsOpened = 1;
    }

    /// <summary>How many connections this collector has opened in its life: 1 unless the server dropped one.</summary>
    public int ConnectionsOpened { get; private set; }

    /// <summary>Opens the connection; null and the probe's reason when the server cannot be reached or refuses.</summary>
    public static async Task<(CollectorConnection? Collector, ProbeResult Probe)> OpenAsync(ConnectionTarget target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (connection, probe) = await Prober.ConnectAsync(target, timeout, ConnectionSettings.Collector, cancellationToken).ConfigureAwait(false);
        return connection is null ? (null, probe) : (new CollectorConnection(target, timeout, connection), probe);
    }

    /// <summary>Collects one snapshot over the open connection, reopening it first if the server dropped it.</summary>
    /// <exception cref="NpgsqlException">The snapshot could not be read; the next call tries again.</exception>
    public Task<Snapshot> CollectAsync(CancellationToken cancellationToken) => CollectAsync(SnapshotScope.Full, cancellationToken);

    /// <inheritdoc cref="CollectAsync(CancellationToken)"/>
    public Task<Snapshot> CollectAsync(SnapshotScope scope, CancellationToken cancellationToken) =>
        UseAsync((connection, token) => SnapshotCollector.CollectAsync(connection, _timeout, scope, token), cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> over this collector's one connection (top's keys run the remediation engine
    /// over it, so acting adds no connection either), reopening it first if the server dropped it.
    /// </summary>
    public async Task<T> UseAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (_connection is not { State: System.Data.ConnectionState.Open })
        {
            await CloseAsync().ConfigureAwait(false);
            var (connection, probe) = await Prober.ConnectAsync(_target, _timeout, ConnectionSettings.Collector, cancellationToken).ConfigureAwait(false);
            if (connection is null)
            {
                throw new NpgsqlException($"reconnecting failed: {probe.Reason}: {probe.Message}");
            }

            _connection = connection;
            ConnectionsOpened++;
        }

        try
        {
            return await work(_connection, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException)
        {
            if (_connection?.State != System.Data.ConnectionState.Open)
            {
                await CloseAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    public ValueTask DisposeAsync() => new(CloseAsync());

    private async Task CloseAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }
    }
}
