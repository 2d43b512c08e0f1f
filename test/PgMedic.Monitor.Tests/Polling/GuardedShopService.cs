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
/// timeout) serving <c>/health/pool</c>, with a load driver that sends it real HTTP requests: either
/// healthy traffic, or cycles in which two slow requests hold both connections while a third times out.
/// </summary>
internal sealed class GuardedShopService : IAsyncDisposable
{
    public static readonly TimeSpan PoolTimeout = TimeSpan.FromMilliseconds(100);

    private readonly WebApplication _app;
    private readonly HttpClient _http;
    private CancellationTokenSource? _load;
    private Task? _driver;
    private long _ok;
    private long _refused;
    private bool _disposed;

    private GuardedShopService(WebApplication app)
    {
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        BaseAddress = new Uri(address);
        _http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
    }

    public Uri BaseAddress { get; }

    public Uri PoolEndpoint => new(BaseAddress, "/health/pool");

    public GuardedDataSource Guard => _app.Services.GetRequiredService<GuardedDataSource>();

    /// <summary>Requests answered 200 and 503 (pool timeout) since the load last changed.</summary>
    public (long Ok, long Refused) Answers => (Interlocked.Read(ref _ok), Interlocked.Read(ref _refused));

    public static async Task<GuardedShopService> StartAsync(ConnectionTarget database)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddPgMedicGuard(new GuardOptions
        {
            ConnectionString = database.ToNpgsqlConnectionString("shop-api", pooling: true),
            Name = "shop-api",
            PoolSize = 2,
            MaxOverflow = 0,
            PoolTimeout = PoolTimeout,
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
    public Task RunFailingLoadAsync() => DriveAsync(async cancellationToken =>
    {
        var reports = new[] { GetAsync("/report", cancellationToken), GetAsync("/report", cancellationToken) };
        while (Guard.Statistics.CheckedOut < 2 && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(5, cancellationToken);
        }

        await GetAsync("/orders", cancellationToken);
        await Task.WhenAll(reports);
        await GetAsync("/orders", cancellationToken);
        await GetAsync("/orders", cancellationToken);
    });

    /// <summary>Sequential /orders requests: every checkout finds a free connection.</summary>
    public Task RunHealthyLoadAsync() => DriveAsync(async cancellationToken =>
    {
        await GetAsync("/orders", cancellationToken);
        await Task.Delay(20, cancellationToken);
    });

    public async Task StopLoadAsync()
    {
        if (_load is null)
        {
            return;
        }

        await _load.CancelAsync();
        try
        {
            await _driver!;
        }
        catch (OperationCanceledException)
        {
            // Stopped mid-request.
        }

        _load.Dispose();
        _load = null;
    }

    /// <summary>Stops the load and the service; a second call does nothing (a test may stop the service itself).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await StopLoadAsync();
        _http.Dispose();
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

    private async Task DriveAsync(Func<CancellationToken, Task> cycle)
    {
        await StopLoadAsync();
        (_ok, _refused) = (0, 0);
        _load = new CancellationTokenSource();
        var token = _load.Token;

        // Bounded: a test that forgets to stop it still ends within two minutes.
        _load.CancelAfter(TimeSpan.FromMinutes(2));
        _driver = Task.Run(async () =>
        {
            while (!token.IsCancellationRequested)
            {
                await cycle(token);
            }
        });
    }

    private async Task GetAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
        Interlocked.Increment(ref response.IsSuccessStatusCode ? ref _ok : ref _refused);
    }
}
