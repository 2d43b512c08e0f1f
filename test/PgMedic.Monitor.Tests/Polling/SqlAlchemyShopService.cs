using System.Diagnostics;
using System.Text.RegularExpressions;
using PgMedic.Testing;

namespace PgMedic.Monitor.Tests.Polling;

/// <summary>
/// The SQLAlchemy example service (clients/python/examples/leaky_service.py, on Debian's SQLAlchemy and
/// psycopg2) as its own process on 127.0.0.1, with a pool of 2, no overflow and a 200 ms pool timeout,
/// and the load that sends it real HTTP requests.
/// </summary>
internal sealed partial class SqlAlchemyShopService : IAsyncDisposable
{
    private readonly Process _process;

    private SqlAlchemyShopService(Process process, Uri address)
    {
        _process = process;
        BaseAddress = address;
        Load = new LoadDriver(address);
    }

    public Uri BaseAddress { get; }

    public Uri PoolEndpoint => new(BaseAddress, "/health/pool");

    public int Pid => _process.Id;

    public LoadDriver Load { get; }

    public static async Task<SqlAlchemyShopService> StartAsync(string databaseUrl)
    {
        var script = Path.Combine(BuildOutput.RepositoryRoot(), "clients", "python", "examples", "leaky_service.py");
        var info = new ProcessStartInfo(ToolPaths.Require("/usr/bin/python3", "python3")) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        info.Environment["DATABASE_URL"] = databaseUrl;
        info.Environment["DATABASE_POOL_SIZE"] = "2";
        info.Environment["DATABASE_MAX_OVERFLOW"] = "0";
        info.Environment["DATABASE_POOL_TIMEOUT"] = "0.2";
        info.Environment["SERVICE_NAME"] = "shop-python";
        info.Environment["PORT"] = "0";
        info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        var process = Process.Start(info)!;
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                errors.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        using var ready = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (await process.StandardOutput.ReadLineAsync(ready.Token) is { } line)
        {
            if (Listening().Match(line) is { Success: true } match)
            {
                return new SqlAlchemyShopService(process, new Uri(match.Groups["address"].Value));
            }
        }

        await process.WaitForExitAsync();
        lock (errors)
        {
            throw new InvalidOperationException($"the SQLAlchemy service exited ({process.ExitCode}) before it listened: {errors}");
        }
    }

    /// <summary>
    /// One checkout in five times out: each cycle leaks both connections, one /orders/count gives up after
    /// the 200 ms pool timeout, the leaks are released, then two /orders/count succeed.
    /// </summary>
    public Task RunFailingLoadAsync() => Load.RunAsync(async cancellationToken =>
    {
        await Load.SendAsync(HttpMethod.Post, "/demo/leak/checked-out", cancellationToken);
        await Load.SendAsync(HttpMethod.Post, "/demo/leak/checked-out", cancellationToken);
        await Load.SendAsync(HttpMethod.Get, "/orders/count", cancellationToken);
        await Load.SendAsync(HttpMethod.Post, "/demo/release", cancellationToken, counted: false);
        await Load.SendAsync(HttpMethod.Get, "/orders/count", cancellationToken);
        await Load.SendAsync(HttpMethod.Get, "/orders/count", cancellationToken);
    });

    /// <summary>Releases what a stopped failing cycle may have left leaked, then sends only well-behaved requests.</summary>
    public async Task RunHealthyLoadAsync()
    {
        await Load.StopAsync();
        await Load.SendAsync(HttpMethod.Post, "/demo/release", CancellationToken.None, counted: false);
        await Load.RunAsync(async cancellationToken =>
        {
            await Load.SendAsync(HttpMethod.Get, "/orders/count", cancellationToken);
            await Task.Delay(20, cancellationToken);
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Load.DisposeAsync();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    [GeneratedRegex("^listening on (?<address>http://\\S+)$")]
    private static partial Regex Listening();
}
