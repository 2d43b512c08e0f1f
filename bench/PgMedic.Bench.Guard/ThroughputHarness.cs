using System.Diagnostics;
using System.Globalization;
using Npgsql;
using PgMedic.Guard.Configuration;
using PgMedic.Postgres.Sandbox;

namespace PgMedic.Bench.Guard;

internal static class ThroughputHarness
{
    private const int PoolSize = 20;

    public static async Task<int> RunAsync(TimeSpan duration, int rounds, IReadOnlyList<int> concurrencies, TextWriter output)
    {
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { MaxConnections = 200, CreatePgStatStatements = false });
        var connectionString = sandbox.SuperuserTarget.ToNpgsqlConnectionString("pgmedic-bench", pooling: true);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"PostgreSQL {sandbox.ServerVersion} on 127.0.0.1, {Environment.ProcessorCount} cores, .NET {Environment.Version}, pool {PoolSize}, {rounds} rounds x {duration.TotalSeconds:0.#} s per variant and concurrency"));
        output.WriteLine();
        output.WriteLine("| concurrency | variant | median ops/s | min | max | ratio to raw | client CPU µs/op (median) | CPU ratio to raw |");
        output.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|");

        await using var raw = Variant.Raw(connectionString, PoolSize);
        await using var callSites = Variant.Guarded("guard, call sites", connectionString, PoolSize, StackTraceMode.Off);
        await using var sampled = Variant.Guarded("guard, stacks 1 in 100", connectionString, PoolSize, StackTraceMode.Sampled, 100);
        await using var all = Variant.Guarded("guard, stacks on all", connectionString, PoolSize, StackTraceMode.All);
        Variant[] variants = [raw, callSites, sampled, all];

        foreach (var concurrency in concurrencies)
        {
            var results = variants.ToDictionary(v => v, _ => new List<double>());
            var cpu = variants.ToDictionary(v => v, _ => new List<double>());
            foreach (var variant in variants)
            {
                await MeasureAsync(variant, concurrency, TimeSpan.FromSeconds(1));
            }

            // Variants take turns within each round, starting at a different one, so that drift in
            // the shared machine's load falls on all of them alike.
            for (var round = 0; round < rounds; round++)
            {
                for (var i = 0; i < variants.Length; i++)
                {
                    var variant = variants[(i + round) % variants.Length];
                    var (opsPerSecond, cpuPerOp) = await MeasureAsync(variant, concurrency, duration);
                    results[variant].Add(opsPerSecond);
                    cpu[variant].Add(cpuPerOp);
                }
            }

            var rawMedian = Median(results[raw]);
            var rawCpu = Median(cpu[raw]);
            foreach (var variant in variants)
            {
                var samples = results[variant];
                var cpuMedian = Median(cpu[variant]);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {concurrency} | {variant.Name} | {Median(samples):0} | {samples.Min():0} | {samples.Max():0} | {Median(samples) / rawMedian:0.000} | {cpuMedian:0.0} | {cpuMedian / rawCpu:0.000} |"));
            }
        }

        return 0;
    }

    // Throughput is wall-clock and so shares the machine's noise; client CPU per operation is where
    // the guard's own cost shows, and it is far less sensitive to other load on the machine.
    private static async Task<(double OpsPerSecond, double CpuMicrosecondsPerOp)> MeasureAsync(Variant variant, int concurrency, TimeSpan duration)
    {
        var stop = 0;
        var counts = new long[concurrency];
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            long done = 0;
            while (Volatile.Read(ref stop) == 0)
            {
                await using var connection = await variant.OpenAsync();
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync();
                done++;
            }

            counts[worker] = done;
        })).ToArray();
        await Task.Delay(duration);
        Volatile.Write(ref stop, 1);
        await Task.WhenAll(workers);
        var elapsed = stopwatch.Elapsed;
        process.Refresh();
        var operations = counts.Sum();
        return (operations / elapsed.TotalSeconds, (process.TotalProcessorTime - cpuBefore).TotalMicroseconds / Math.Max(1, operations));
    }

    private static double Median(List<double> samples)
    {
        var sorted = samples.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
