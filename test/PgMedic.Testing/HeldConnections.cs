using Npgsql;
using PgMedic.Postgres.Sandbox;
using PgMedic.Postgres.Targets;

namespace PgMedic.Testing;

/// <summary>
/// Real connections that a test opens and keeps, to reproduce a pile-up: idle sessions of a named
/// application, transactions left open, locks held. Disposing closes them all.
/// </summary>
public sealed class HeldConnections : IAsyncDisposable
{
    private readonly List<NpgsqlConnection> _connections = [];

    public IReadOnlyList<NpgsqlConnection> Connections => _connections;

    /// <summary>Backend PIDs of the held connections, in the order they were opened.</summary>
    public IReadOnlyList<int> Pids => _connections.Select(c => c.ProcessID).ToList();

    public static async Task<HeldConnections> OpenAsync(ConnectionTarget target, int count, string applicationName = "held-by-test", CancellationToken cancellationToken = default)
    {
        var held = new HeldConnections();
        try
        {
            await held.AddAsync(target, count, applicationName, cancellationToken);
        }
        catch
        {
            await held.DisposeAsync();
            throw;
        }

        return held;
    }

    public async Task AddAsync(ConnectionTarget target, int count, string applicationName = "held-by-test", CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count; i++)
        {
            _connections.Add(await PostgresSandbox.OpenAsync(target, cancellationToken, applicationName));
        }
    }

    public async Task ExecuteOnEachAsync(string sql, CancellationToken cancellationToken = default)
    {
        foreach (var connection in _connections)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            try
            {
                await connection.DisposeAsync();
            }
            catch (NpgsqlException)
            {
                // Already terminated by the test; nothing to close.
            }
        }

        _connections.Clear();
    }
}
