using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using PgMedic.Testing;

namespace PgMedic.Monitor.Tests.Reliability;

/// <summary>
/// Bounded concurrent GETs against a running <c>serve</c> (the real binary): 8 clients × 250 requests over
/// every read endpoint, 0 errors, p50/p99 recorded. Every answer that is not a success is an error, with
/// its path and status (or exception) kept, so that a failure says which.
/// </summary>
/// <remarks>On its own server: what other monitor tests leave behind on the shared one (sessions, a full server) is not this test's load.</remarks>
public sealed class ServeLoadTests : IDisposable
{
    public const int Clients = 8;
    public const int RequestsPerClient = 250;
    private static readonly string[] Paths = ["/metrics", "/health", "/health/shop", "/api/targets", "/api/targets/shop", "/api/targets/shop/snapshot", "/api/targets/shop/history?since=5m", "/api/alerts", "/api/alerts/events", "/api/dashboard", "/"];
    private readonly string _directory = Directory.CreateTempSubdirectory("pgmedic-load-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task EightClientsTimes250Gets_NoErrors_P99Recorded()
    {
        var clock = Stopwatch.StartNew();
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
        var address = await serve.WaitForAddressAsync(TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        var ready = await WaitUntilReadyAsync(http);

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
                    using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
                    var body = await response.Content.ReadAsStringAsync();
                    if (!response.IsSuccessStatusCode)
                    {
                        errors.Enqueue($"{path}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 200)]}");
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    errors.Enqueue($"{path}: {ex.GetType().Name} {ex.Message}");
                }

                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        })));
        total.Stop();

        var sorted = latencies.Order().ToList();
        double Percentile(double p) => sorted[(int)Math.Ceiling(sorted.Count * p) - 1];
        var kinds = errors.GroupBy(e => e.Split(' ')[0] + " " + e.Split(' ').ElementAtOrDefault(1)).Select(g => $"{g.Key} ×{g.Count()}");
        ReliabilityRecord.Write("4-serve-load", string.Create(CultureInfo.InvariantCulture, $"""
            ## serve under load (the real binary)

            | clients × requests | endpoints | errors | p50 | p99 | max | throughput |
            |---|---|---|---|---|---|---|
            | {Clients} × {RequestsPerClient} = {sorted.Count} | {string.Join(", ", Paths.Select(p => $"`{p}`"))} | {errors.Count}{(errors.IsEmpty ? string.Empty : $" ({string.Join(", ", kinds)})")} | {Percentile(0.5):0.0} ms | {Percentile(0.99):0.0} ms | {sorted[^1]:0.0} ms | {sorted.Count / total.Elapsed.TotalSeconds:0} req/s |

            Run inside test.sh, beside the other test projects on the same machine (their load is part of the numbers); the monitor was ready (first snapshot) {ready.TotalSeconds:0.0} s after it printed its address. How the table was made and the machine: docs/benchmarks.md.
            """), clock.Elapsed, "ServeLoadTests.EightClientsTimes250Gets_NoErrors_P99Recorded");

        Assert.Equal(Clients * RequestsPerClient, sorted.Count);
        Assert.True(errors.IsEmpty, string.Join("; ", errors.Distinct().Take(10)));
        Assert.False(serve.HasExited, serve.Output);
    }

    /// <summary>
    /// Until the first poll has a snapshot, /health is 503 and the target's endpoints 404: that is the monitor
    /// starting, not serving badly, so the load starts once it answers for the target. How long it took is recorded.
    /// </summary>
    private static async Task<TimeSpan> WaitUntilReadyAsync(HttpClient http)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            using var snapshot = await http.GetAsync(new Uri("/api/targets/shop/snapshot", UriKind.Relative));
            using var health = await http.GetAsync(new Uri("/health/shop", UriKind.Relative));
            if (snapshot.IsSuccessStatusCode && health.IsSuccessStatusCode)
            {
                return stopwatch.Elapsed;
            }

            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(60), $"the monitor never became ready: snapshot {(int)snapshot.StatusCode}, health {(int)health.StatusCode}");
            await Task.Delay(100);
        }
    }
}
