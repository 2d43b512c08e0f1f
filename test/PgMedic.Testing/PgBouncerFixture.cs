using Npgsql;
using PgMedic.Postgres.PgBouncer;
using PgMedic.Postgres.Sandbox;
using PgMedic.Postgres.Targets;
using Xunit;

namespace PgMedic.Testing;

/// <summary>
/// A sandbox (max_connections 12, 3 reserved: 9 usable) with a real PgBouncer in front in transaction
/// mode: database <c>shop</c> with pool_size 2, database <c>reports</c> with default_pool_size 20.
/// </summary>
public sealed class PgBouncerFixture : IAsyncLifetime
{
    public const string AppUser = "app";
    public const string AppPassword = "app-pw-7";

    private PostgresSandbox? _sandbox;
    private PgBouncerProcess? _bouncer;

    public PostgresSandbox Sandbox => _sandbox ?? throw new InvalidOperationException("not started");

    public PgBouncerProcess Bouncer => _bouncer ?? throw new InvalidOperationException("not started");

    public ConnectionTarget Shop => Bouncer.TargetFor(AppUser, AppPassword, "shop");

    public ConnectionTarget Reports => Bouncer.TargetFor(AppUser, AppPassword, "reports");

    public async Task InitializeAsync()
    {
        _sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { MaxConnections = 12, SuperuserReservedConnections = 3 });
        await _sandbox.CreateRoleAsync(AppUser, AppPassword);
        _bouncer = await PgBouncerProcess.StartAsync(
            _sandbox,
            ["shop = host=127.0.0.1 port={port} dbname=postgres pool_size=2", "reports = host=127.0.0.1 port={port} dbname=postgres"],
            new Dictionary<string, string> { [AppUser] = AppPassword },
            "pool_mode = transaction\ndefault_pool_size = 20\nmax_client_conn = 50\nignore_startup_parameters = extra_float_digits");
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_bouncer is not null)
        {
            await _bouncer.DisposeAsync();
        }

        if (_sandbox is not null)
        {
            await _sandbox.DisposeAsync();
        }
    }

    /// <summary>
    /// Fills the shop pool with two transactions left open, then queues <paramref name="waiting"/>
    /// clients behind them and waits until PgBouncer counts them as waiting.
    /// </summary>
    public async Task<QueuedClients> QueueAsync(int waiting)
    {
        var holders = await HeldConnections.OpenAsync(Shop, 2, "holder");
        await holders.ExecuteOnEachAsync("BEGIN; SELECT 1");
        var tasks = Enumerable.Range(0, waiting).Select(_ => Task.Run(async () =>
        {
            // Without type loading every client sends its query at once (Npgsql serialises a new data source's type loading).
            await using var connection = new NpgsqlConnection(Shop.ToNpgsqlConnectionString("queued", TimeSpan.FromSeconds(15)) + ";Server Compatibility Mode=NoTypeLoading");
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync();
        })).ToList();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(15);
        while ((await PgBouncerCollector.PoolsAsync(Bouncer.AdminTarget, TimeSpan.FromSeconds(5), CancellationToken.None)).FirstOrDefault(p => p.Database == "shop")?.ClientWaiting != waiting)
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                var pools = await PgBouncerCollector.PoolsAsync(Bouncer.AdminTarget, TimeSpan.FromSeconds(5), CancellationToken.None);
                throw new TimeoutException("clients never queued in PgBouncer: " + string.Join("; ", pools) + Bouncer.ReadLog() + string.Join(",", tasks.Select(t => t.Exception?.InnerException?.Message)));
            }

            await Task.Delay(50);
        }

        return new QueuedClients(holders, tasks);
    }
}

/// <summary>Holders of the shop pool and the clients queued behind them; disposing rolls back and lets the queue drain.</summary>
public sealed class QueuedClients(HeldConnections holders, IReadOnlyList<Task> waiting) : IAsyncDisposable
{
    public HeldConnections Holders => holders;

    public async ValueTask DisposeAsync()
    {
        await holders.ExecuteOnEachAsync("ROLLBACK");
        await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromSeconds(15));
        await holders.DisposeAsync();
    }
}
