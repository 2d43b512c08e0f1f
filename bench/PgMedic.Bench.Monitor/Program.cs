// Monitor benchmark: `pgmedic serve` (Release build, its own process) watching 20 databases on one
// sandbox at a 5 s interval. Measures the monitor's CPU time and peak resident memory over a steady
// stretch, then detection latency: the moment the server crosses 90 % of usable slots (the last
// connection that crosses it has opened) to the critical alert showing as firing in the API.
// Loopback only, bounded to about 4 minutes. Usage: dotnet run -c Release --project bench/PgMedic.Bench.Monitor [steady-seconds]
// PGMEDIC_BINARY=artifacts/native/pgmedic measures the native executable instead of the Release pgmedic.dll.
// PGMEDIC_BENCH_SEED_DAYS=30 first writes 30 days of the availability objective's minutes for every target into the
// history (as a monitor that ran that long leaves them), so the monitor starts with its steady-state objective ledger.
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using PgMedic.Postgres.Sandbox;

const int Targets = 20;
var steady = TimeSpan.FromSeconds(args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 150);
var interval = TimeSpan.FromSeconds(5);
var root = FindRoot();
var native = Environment.GetEnvironmentVariable("PGMEDIC_BINARY") is { Length: > 0 } binary ? Path.GetFullPath(binary) : null;
var cli = native ?? Path.Combine(root, "src", "PgMedic.Cli", "bin", "Release", "net10.0", "pgmedic.dll");
if (!File.Exists(cli))
{
    Console.Error.WriteLine(native is null
        ? $"build the CLI first: dotnet build src/PgMedic.Cli -c Release ({cli} is missing)"
        : $"PGMEDIC_BINARY names {cli}, which does not exist: dotnet publish src/PgMedic.Cli -c Release -r linux-x64 -o artifacts/native");
    return 3;
}

Console.WriteLine($"measuring {(native is null ? "dotnet " : "")}{cli}");

await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { MaxConnections = 160, SuperuserReservedConnections = 3, CreatePgStatStatements = false });
for (var i = 1; i <= Targets; i++)
{
    await sandbox.ExecuteAsync($"CREATE DATABASE db{i:00}");
}

var directory = Directory.CreateTempSubdirectory("pgmedic-bench-monitor-").FullName;
var config = Path.Combine(directory, "pgmedic.json");
var targets = string.Join(",\n", Enumerable.Range(1, Targets).Select(i => $$"""    { "name": "db{{i:00}}", "connection": "{{sandbox.SuperuserTarget.WithDatabase($"db{i:00}").ToUrl()}}" }"""));
await File.WriteAllTextAsync(config, $$"""
    { "pollInterval": "5s", "port": 0, "history": { "path": "{{Path.Combine(directory, "history.db")}}" },
      "targets": [
    {{targets}}
      ] }
    """);

if (Environment.GetEnvironmentVariable("PGMEDIC_BENCH_SEED_DAYS") is { Length: > 0 } seedText)
{
    var days = int.Parse(seedText, CultureInfo.InvariantCulture);
    var seeding = Stopwatch.StartNew();
    using var history = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(directory, "history.db")}");
    history.Open();
    using (var create = history.CreateCommand())
    {
        // The monitor's own table (src/PgMedic.Monitor/History/SqliteHistoryStore.Slo.cs).
        create.CommandText = "PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS slo_minutes (target TEXT NOT NULL, minute INTEGER NOT NULL, good INTEGER NOT NULL, bad INTEGER NOT NULL, observed_ms INTEGER NOT NULL, PRIMARY KEY (target, minute)) WITHOUT ROWID;";
        create.ExecuteNonQuery();
    }

    using var transaction = history.BeginTransaction();
    using var insert = history.CreateCommand();
    insert.Transaction = transaction;
    insert.CommandText = "INSERT INTO slo_minutes VALUES ($target, $minute, 12, 0, 60000)";
    var target = insert.Parameters.Add("$target", Microsoft.Data.Sqlite.SqliteType.Text);
    var minute = insert.Parameters.Add("$minute", Microsoft.Data.Sqlite.SqliteType.Integer);
    var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 60_000 * 60_000;
    for (var t = 1; t <= Targets; t++)
    {
        target.Value = $"db{t:00}";
        for (var m = days * 1440; m > 0; m--)
        {
            minute.Value = now - (m * 60_000L);
            insert.ExecuteNonQuery();
        }
    }

    transaction.Commit();
    Console.WriteLine($"seeded {days} days of objective minutes for {Targets} targets in {seeding.Elapsed.TotalSeconds:0.0} s");
}

var info = new ProcessStartInfo(native ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
if (native is null)
{
    info.ArgumentList.Add(cli);
}

info.ArgumentList.Add("serve");
info.ArgumentList.Add("--config");
info.ArgumentList.Add(config);
using var monitor = Process.Start(info)!;
var address = new TaskCompletionSource<Uri>();
monitor.OutputDataReceived += (_, e) =>
{
    if (e.Data is { } line && line.Contains("listening on http://", StringComparison.Ordinal))
    {
        var start = line.IndexOf("http://", StringComparison.Ordinal);
        address.TrySetResult(new Uri(line[start..line.IndexOf(' ', start)]));
    }
};
monitor.ErrorDataReceived += (_, _) => { };
monitor.BeginOutputReadLine();
monitor.BeginErrorReadLine();
try
{
    using var http = new HttpClient { BaseAddress = await address.Task.WaitAsync(TimeSpan.FromSeconds(60)) };
    Console.WriteLine($"monitor pid {monitor.Id} watching {Targets} databases every {interval.TotalSeconds} s; warming up 20 s");
    await Task.Delay(TimeSpan.FromSeconds(20));

    monitor.Refresh();
    var cpuBefore = monitor.TotalProcessorTime;
    var wall = Stopwatch.StartNew();
    long peakRss = 0;
    var rssSamples = new List<long>();
    while (wall.Elapsed < steady)
    {
        await Task.Delay(TimeSpan.FromSeconds(5));
        var rss = ReadStatus(monitor.Id, "VmRSS:");
        rssSamples.Add(rss);
        peakRss = Math.Max(peakRss, rss);
    }

    monitor.Refresh();
    var cpu = monitor.TotalProcessorTime - cpuBefore;
    var hwm = ReadStatus(monitor.Id, "VmHWM:");
    var polled = (await http.GetFromJsonAsync<JsonElement>("/api/targets")).EnumerateArray().Count(t => t.GetProperty("polledAt").ValueKind != JsonValueKind.Null);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"steady {wall.Elapsed.TotalSeconds:0} s: CPU {cpu.TotalSeconds:0.00} s = {100 * cpu.TotalSeconds / wall.Elapsed.TotalSeconds:0.00} % of one core; RSS median {Median(rssSamples.Select(r => (double)r)) / 1024.0:0.0} MB, peak sampled {peakRss / 1024.0:0.0} MB, VmHWM {hwm / 1024.0:0.0} MB; {polled}/{Targets} targets polled"));

    // Detection latency on db01, three times.
    var latencies = new List<double>();
    var usable = 160 - 3;
    var threshold = (int)Math.Ceiling(usable * 0.9);
    for (var trial = 1; trial <= 3; trial++)
    {
        // Counted as the monitor counts: its own lifeline to db01 is not a client of db01's usage.
        var current = await MonitorClientsAsync(http);
        var held = new List<NpgsqlConnection>();
        for (var i = 0; i < threshold - current - 1; i++)
        {
            held.Add(await PostgresSandbox.OpenAsync(sandbox.SuperuserTarget.WithDatabase("db01"), applicationName: "bench-filler"));
        }

        await Task.Delay(interval + TimeSpan.FromSeconds(1));
        if (await CriticalFiringAsync(http))
        {
            Console.WriteLine("critical already firing below the threshold: lingering backends; skipping trial");
        }

        // The connection that crosses 90 %.
        held.Add(await PostgresSandbox.OpenAsync(sandbox.SuperuserTarget.WithDatabase("db01"), applicationName: "bench-filler"));
        var crossed = Stopwatch.StartNew();
        while (!await CriticalFiringAsync(http) && crossed.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(20);
        }

        latencies.Add(crossed.Elapsed.TotalSeconds);
        var backends = await MonitorClientsAsync(http);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trial {trial}: {backends} client backends of {usable} usable seen by the monitor; critical fired {crossed.Elapsed.TotalSeconds:0.00} s after crossing 90 %"));
        foreach (var connection in held)
        {
            await connection.DisposeAsync();
        }

        while (await CriticalFiringAsync(http))
        {
            await Task.Delay(200);
        }
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"detection latency: median {Median(latencies):0.00} s, max {latencies.Max():0.00} s (poll interval {interval.TotalSeconds:0} s)"));
}
finally
{
    monitor.Kill(entireProcessTree: true);
    await monitor.WaitForExitAsync();
    Directory.Delete(directory, recursive: true);
}

return 0;

static async Task<bool> CriticalFiringAsync(HttpClient http) =>
    (await http.GetFromJsonAsync<JsonElement>("/api/alerts?target=db01")).EnumerateArray()
        .Any(a => a.GetProperty("alert").GetString() == "connection-saturation" && a.GetProperty("severity").GetString() == "critical" && a.GetProperty("state").GetString() == "firing");

static async Task<int> MonitorClientsAsync(HttpClient http) =>
    (await http.GetFromJsonAsync<JsonElement>("/api/targets/db01")).GetProperty("usage").GetProperty("clientBackends").GetInt32();

static long ReadStatus(int pid, string key) =>
    File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith(key, StringComparison.Ordinal))
        .Select(l => long.Parse(l[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture)).FirstOrDefault();

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

static string FindRoot()
{
    var directory = new DirectoryInfo(AppContext.BaseDirectory);
    while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "PgMedic.slnx")))
    {
        directory = directory.Parent;
    }

    return directory?.FullName ?? throw new InvalidOperationException("run from inside the repository");
}
