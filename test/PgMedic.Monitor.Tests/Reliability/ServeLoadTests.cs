using System.Collections.Concurrent;
using System.Diagnostics;
using PgMedic.Testing;

namespace PgMedic.Monitor.Tests.Reliability;

/// <summary>Bounded concurrent GETs against a running <c>serve</c> (the real binary): 8 clients × 250 requests over every read endpoint, 0 errors, p99 recorded.</summary>
/// <remarks>On its own server: what other monitor tests leave behind on the shared one (sessions, a full server) is not this test's load.</remarks>
public sealed class ServeLoadTests : IDisposable
{
    private const int Clients = 8;
    private const int RequestsPerClient = 250;
    private static readonly string[] Paths = ["/metrics", "/health", "/health/shop", "/api/targets", "/api/targets/shop", "/api/targets/shop/snapshot", "/api/targets/shop/history?since=5m", "/api/alerts", "/api/alerts/events", "/api/dashboard", "/"];
    private readonly string _directory = Directory.CreateTempSubdirectory("pgmedic-load-").FullName;

    [Fact]
    public async Task EightClientsTimes250Gets_NoErrors_P99Recorded()
    {
        await using var sandbox = await PgMedic.Postgres.Sandbox.PostgresSandbox.StartAsync(new PgMedic.Postgres.Sandbox.SandboxOptions { CreatePgStatStatements = false });
        var config = Path.Combine(_directory, "pgmedic.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "pollInterval": "250ms",
              "port": 0,
              "history": { "path": "{{Path.Combine(_directory, "history.db")}}" },
              "targets": [ { "name": "shop", "connection": "{{sandbox.SuperuserTarget.ToUrl()}}" } ]
            }
            """);
        using var serve = PgMedicProcess.Start("serve", "--config", config);
        var address = await serve.WaitForAddressAsync(TimeSpan.FromSeconds(30));
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        var ready = Stopwatch.StartNew();
        while ((await http.GetAsync("/api/targets/shop/snapshot")).StatusCode != System.Net.HttpStatusCode.OK && ready.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(100);
        }

        var latencies = new ConcurrentBag<double>();
        var errors = new ConcurrentQueue<string>();
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            for (var i = 0; i < RequestsPerClient; i++)
            {
                var path = Paths[(client + i) % Paths.Length];
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.GetAsync(path);
                    await response.Content.ReadAsByteArrayAsync();
                    if (!response.IsSuccessStatusCode)
                    {
                        errors.Enqueue($"{path}: {(int)response.StatusCode}");
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    errors.Enqueue($"{path}: {ex.GetType().Name}");
                }

                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        })));
        total.Stop();

        var sorted = latencies.Order().ToList();
        double Percentile(double p) => sorted[(int)Math.Ceiling(sorted.Count * p) - 1];
        ReliabilityRecord.Write("4-serve-load", $"""
            ## serve under load (the real binary)

            | clients × requests | endpoints | errors | p50 | p99 | max | throughput |
            |---|---|---|---|---|---|---|
            | {Clients} × {RequestsPerClient} = {sorted.Count} | {string.Join(", ", Paths.Select(p => $"`{p}`"))} | {errors.Count} | {Percentile(0.5):0.0} ms | {Percentile(0.99):0.0} ms | {sorted[^1]:0.0} ms | {sorted.Count / total.Elapsed.TotalSeconds:0} req/s |
            """);

        Assert.Equal(Clients * RequestsPerClient, sorted.Count);
        Assert.True(errors.IsEmpty, string.Join("; ", errors.Distinct().Take(10)));
        Assert.False(serve.HasExited, serve.Output);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
