using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using PgMedic.Guard;
using PgMedic.Guard.Configuration;
using PgMedic.Guard.Errors;
using PgMedic.Postgres.Targets;

namespace PgMedic.Monitor.Tests.Polling;

/// <summary>
/// A small web service on 127.0.0.1 whose pool is a PgMedic.Guard (size 2, no overflow, 100 ms pool
/// timeout) serving <c>/health/pool</c>, and the load that sends it real HTTP requests: either healthy
/// traffic, or cycles in which two slow requests hold both connections while a third times out.
/// </summary>
internal sealed class GuardedShopService : IAsyncDisposable
{
    public static readonly TimeSpan PoolTimeout = TimeSpan.FromMilliseconds(100);

    private readonly WebApplication _app;
    private bool _disposed;

    private GuardedShopService(WebApplication app)
    {
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        BaseAddress = new Uri(address);
        Load = new LoadDriver(BaseAddress);
    }

    public Uri BaseAddress { get; }

    public Uri PoolEndpoint => new(BaseAddress, "/health/pool");

    public LoadDriver Load { get; }

    public GuardedDataSource Guard => _app.Services.GetRequiredService<GuardedDataSource>();

    public static async Task<GuardedShopService> StartAsync(ConnectionTarget database, int poolSize = 2, TimeSpan? poolTimeout = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddPgMedicGuard(new GuardOptions
        {
            ConnectionString = database.ToNpgsqlConnectionString("shop-api", pooling: true),
            Name = "shop-api",
            PoolSize = poolSize,
            MaxOverflow = 0,
            PoolTimeout = poolTimeout ?? PoolTimeout,
        });
        var app = builder.Build();
        app.MapPgMedicGuard(o => o.EnablePoolEndpoint = true);
        app.MapGet("/orders", (GuardedDataSource pool, CancellationToken cancellationToken) => QueryAsync(pool, "SELECT 1", cancellationToken));
        app.MapGet("/report", (GuardedDataSource pool, CancellationToken cancellationToken) => QueryAsync(pool, "SELECT pg_sleep(0.3)", cancellationToken));
        await app.StartAsync();
        return new GuardedShopService(app);
    }

    /// <summary>
    /// One request in five times out: each cycle two /report requests hold both connections for 300 ms,
    /// an /orders request meanwhile gives up after the 100 ms pool timeout, then two /orders succeed.
    /// </summary>
    public Task RunFailingLoadAsync() => Load.RunAsync(async cancellationToken =>
    {
        var reports = new[] { Load.SendAsync(HttpMethod.Get, "/report", cancellationToken), Load.SendAsync(HttpMethod.Get, "/report", cancellationToken) };
        while (Guard.Statistics.CheckedOut < 2 && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(5, cancellationToken);
        }

        await Load.SendAsync(HttpMethod.Get, "/orders", cancellationToken);
        await Task.WhenAll(reports);
        await Load.SendAsync(HttpMethod.Get, "/orders", cancellationToken);
        await Load.SendAsync(HttpMethod.Get, "/orders", cancellationToken);
    });

    /// <summary>Sequential /orders requests: every checkout finds a free connection.</summary>
    public Task RunHealthyLoadAsync() => Load.RunAsync(async cancellationToken =>
    {
        await Load.SendAsync(HttpMethod.Get, "/orders", cancellationToken);
        await Task.Delay(20, cancellationToken);
    });

    /// <summary>Stops the load and the service; a second call does nothing (a test may stop the service itself).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await Load.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task<IResult> QueryAsync(GuardedDataSource pool, string sql, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await pool.OpenConnectionAsync(cancellationToken);
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return Results.Ok();
        }
        catch (PoolTimeoutException)
        {
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }
    }
}
