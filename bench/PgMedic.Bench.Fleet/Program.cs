// Fleet benchmark (issue 19): how far one `pgmedic serve` goes, and /probe against postgres_exporter.
//
// Part 1, per size (default 50 and 200 databases): the databases are spread over four sandbox servers
// (as many lifelines as targets), serve polls every one at the default 5 s interval with its history in
// SQLite (and, with --postgres-history, a second run with the history in a PostgreSQL sandbox). After a
// 20 s warm-up, over the steady window: the monitor's CPU (% of one core, utime+stime from /proc) and RSS
// (median of samples, and VmHWM), the servers' CPU separately (postmaster + live backends + reaped
// backends), poll lag p50/p99 and history write time p50/p99 (pgmedic_poll_lag_seconds and
// pgmedic_history_write_duration_seconds of every target, read from /metrics every interval), then
// /probe latency over 40 scrapes of distinct targets.
//
// Part 2: one sandbox with 500 idle client connections; serve with that one database, polled when
// scraped, and Debian's prometheus-postgres-exporter (0.11) on the same database; 30 rounds alternating
// GET /probe?target= and GET /metrics of the exporter (which it answers by querying the server), after
// 3 unmeasured rounds each. Wall time of each scrape, medians and the ratio.
//
// Loopback only, bounded (about 2 minutes per size). Usage:
//   dotnet run -c Release --project bench/PgMedic.Bench.Fleet -- [--sizes 50,200] [--steady 60] [--postgres-history]
// PGMEDIC_BINARY=/tmp/fleet-native/pgmedic measures the native executable instead of the Release pgmedic.dll.
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using PgMedic.Postgres.Sandbox;

// --sizes 0 measures only the /probe-against-the-exporter part.
var sizes = Option("--sizes", "50,200").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Where(s => s > 0).ToList();
var steady = TimeSpan.FromSeconds(int.Parse(Option("--steady", "60"), CultureInfo.InvariantCulture));
var postgresHistory = args.Contains("--postgres-history");
var skipProbe = args.Contains("--no-exporter");
const int Servers = 4;
var interval = TimeSpan.FromSeconds(5);
var root = FindRoot();
var native = Environment.GetEnvironmentVariable("PGMEDIC_BINARY") is { Length: > 0 } binary ? Path.GetFullPath(binary) : null;
var cli = native ?? Path.Combine(root, "src", "PgMedic.Cli", "bin", "Release", "net10.0", "pgmedic.dll");
if (!File.Exists(cli))
{
    Console.Error.WriteLine($"build the CLI first ({cli} is missing)");
    return 3;
}

Console.WriteLine($"measuring {(native is null ? "dotnet " : "")}{cli}; {Environment.ProcessorCount} cores; load {File.ReadAllText("/proc/loadavg").Trim()}");
var results = new List<string>();
foreach (var size in sizes)
{
    foreach (var store in postgresHistory ? new[] { "sqlite", "postgres" } : ["sqlite"])
    {
        results.Add(await MeasureFleetAsync(size, store));
    }
}

if (!skipProbe)
{
    results.Add(await MeasureProbeAsync());
}

Console.WriteLine();
foreach (var line in results)
{
    Console.WriteLine(line);
}

return 0;

async Task<string> MeasureFleetAsync(int size, string store)
{
    var perServer = (size + Servers - 1) / Servers;
    var servers = await Task.WhenAll(Enumerable.Range(0, Servers).Select(_ => PostgresSandbox.StartAsync(new SandboxOptions { MaxConnections = perServer * 2 + 20, CreatePgStatStatements = false })));
    PostgresSandbox? history = store == "postgres" ? await PostgresSandbox.StartAsync(new SandboxOptions { MaxConnections = 50, CreatePgStatStatements = false }) : null;
    var directory = Directory.CreateTempSubdirectory("pgmedic-bench-fleet-").FullName;
    try
    {
        var targets = new List<string>();
        for (var i = 0; i < size; i++)
        {
            var server = servers[i % Servers];
            var name = $"db{i:000}";
            await server.ExecuteAsync($"CREATE DATABASE {name}");
            targets.Add($$"""    { "name": "{{name}}", "connection": "{{server.SuperuserTarget.WithDatabase(name).ToUrl()}}" }""");
        }

        var historyJson = history is null
            ? $$"""{ "path": "{{Path.Combine(directory, "history.db")}}" }"""
            : $$"""{ "connection": "{{history.SuperuserTarget.ToUrl()}}" }""";
        var config = Path.Combine(directory, "pgmedic.json");
        await File.WriteAllTextAsync(config, $$"""
            { "pollInterval": "5s", "port": 0, "history": {{historyJson}},
              "targets": [
            {{string.Join(",\n", targets)}}
              ] }
            """);
        using var monitor = StartServe(config, out var address);
        using var http = new HttpClient { BaseAddress = await address.WaitAsync(TimeSpan.FromSeconds(60)), Timeout = TimeSpan.FromSeconds(30) };
        Console.WriteLine($"{size} targets on {Servers} servers, history {store}: monitor pid {monitor.Id}; warming up 20 s");
        await Task.Delay(TimeSpan.FromSeconds(20));

        var serverCpuBefore = servers.Sum(s => ServerCpuTicks(s.PostmasterPid!.Value));
        monitor.Refresh();
        var cpuBefore = monitor.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var rss = new List<double>();
        var lags = new List<double>();
        var writes = new List<double>();
        while (wall.Elapsed < steady)
        {
            await Task.Delay(interval);
            rss.Add(ReadStatus(monitor.Id, "VmRSS:") / 1024.0);
            var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            lags.AddRange(Values(metrics, "pgmedic_poll_lag_seconds"));
            writes.AddRange(Values(metrics, "pgmedic_history_write_duration_seconds"));
        }

        monitor.Refresh();
        var cpu = (monitor.TotalProcessorTime - cpuBefore).TotalSeconds / wall.Elapsed.TotalSeconds * 100;
        var serverCpu = (servers.Sum(s => ServerCpuTicks(s.PostmasterPid!.Value)) - serverCpuBefore) / 100.0 / wall.Elapsed.TotalSeconds * 100;
        var hwm = ReadStatus(monitor.Id, "VmHWM:") / 1024.0;

        // Where the resident memory is, to tell the managed heap from native allocations and thread stacks.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  at the end: RssAnon {ReadStatus(monitor.Id, "RssAnon:") / 1024.0:0} MB, RssFile {ReadStatus(monitor.Id, "RssFile:") / 1024.0:0} MB, {ReadStatus(monitor.Id, "Threads:")} threads"));
        var listed = (await http.GetFromJsonAsync<JsonElement>("/api/targets")).EnumerateArray().ToList();
        var polled = listed.Count(t => t.GetProperty("polledAt").ValueKind != JsonValueKind.Null && t.GetProperty("lifeline").GetBoolean());

        var probes = new List<double>();
        for (var i = 0; i < 40; i++)
        {
            var started = Stopwatch.StartNew();
            using var response = await http.GetAsync(new Uri($"/probe?target=db{i * size / 40:000}", UriKind.Relative));
            await response.Content.ReadAsStringAsync();
            probes.Add(started.Elapsed.TotalMilliseconds);
            response.EnsureSuccessStatusCode();
        }

        monitor.Kill(entireProcessTree: true);
        await monitor.WaitForExitAsync();
        return string.Create(CultureInfo.InvariantCulture,
            $"| {size} | {store} | {cpu:0.0} % | {Percentile(rss, 50):0} MB (VmHWM {hwm:0}) | {serverCpu:0.0} % | {WholeMs(Percentile(lags, 50))} / {WholeMs(Percentile(lags, 99))} ms | {Percentile(probes, 50):0.0} / {Percentile(probes, 99):0.0} ms | {Percentile(writes, 50) * 1000:0.00} / {Percentile(writes, 99) * 1000:0.00} ms | {polled}/{size} | {wall.Elapsed.TotalSeconds:0} s, {lags.Count} lag samples |");
    }
    finally
    {
        NpgsqlConnection.ClearAllPools();
        foreach (var server in servers)
        {
            await server.DisposeAsync();
        }

        if (history is not null)
        {
            await history.DisposeAsync();
        }

        Directory.Delete(directory, recursive: true);
    }
}

async Task<string> MeasureProbeAsync()
{
    const int Held = 500;
    await using var server = await PostgresSandbox.StartAsync(new SandboxOptions { MaxConnections = Held + 60, CreatePgStatStatements = false });
    var directory = Directory.CreateTempSubdirectory("pgmedic-bench-probe-").FullName;
    var held = new List<NpgsqlConnection>();
    Process? exporter = null;
    try
    {
        Console.WriteLine($"opening {Held} client connections");
        for (var i = 0; i < Held; i++)
        {
            held.Add(await PostgresSandbox.OpenAsync(server.SuperuserTarget, applicationName: $"app-{i % 7}"));
        }

        var config = Path.Combine(directory, "pgmedic.json");
        await File.WriteAllTextAsync(config, $$"""
            { "pollInterval": "15s", "poll": "scrape", "port": 0, "history": { "path": "{{Path.Combine(directory, "history.db")}}" },
              "targets": [ { "name": "shop", "connection": "{{server.SuperuserTarget.ToUrl()}}" } ] }
            """);
        using var monitor = StartServe(config, out var address);
        var exporterPort = FreePort();
        var info = new ProcessStartInfo("prometheus-postgres-exporter") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add($"--web.listen-address=127.0.0.1:{exporterPort}");
        info.Environment["DATA_SOURCE_NAME"] = $"postgresql://postgres:{Uri.EscapeDataString(server.SuperuserPassword)}@127.0.0.1:{server.Port}/postgres?sslmode=disable";
        exporter = Process.Start(info)!;
        exporter.OutputDataReceived += (_, _) => { };
        exporter.ErrorDataReceived += (_, _) => { };
        exporter.BeginOutputReadLine();
        exporter.BeginErrorReadLine();
        using var medic = new HttpClient { BaseAddress = await address.WaitAsync(TimeSpan.FromSeconds(60)), Timeout = TimeSpan.FromSeconds(30) };
        using var peer = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{exporterPort}/"), Timeout = TimeSpan.FromSeconds(30) };
        await WaitListeningAsync(peer);

        var probe = new List<double>();
        var polls = new List<double>();
        var scrape = new List<double>();
        string probeText = string.Empty, scrapeText = string.Empty;
        for (var round = -3; round < 30; round++)
        {
            var (p, pt) = await TimeAsync(medic, "/probe?target=shop");
            var (s, st) = await TimeAsync(peer, "/metrics");
            if (round >= 0)
            {
                probe.Add(p);
                polls.AddRange(Values(pt, "pgmedic_poll_duration_seconds").Select(v => v * 1000));
                scrape.Add(s);
            }

            probeText = pt;
            scrapeText = st;
            await Task.Delay(200);
        }

        var sessions = Values(probeText, "pgmedic_client_backends").FirstOrDefault();
        monitor.Kill(entireProcessTree: true);
        await monitor.WaitForExitAsync();
        return string.Create(CultureInfo.InvariantCulture,
            $"/probe at {Held} client connections ({sessions} client backends seen): median {Percentile(probe, 50):0.0} ms (p90 {Percentile(probe, 90):0.0}), the poll inside it {Percentile(polls, 50):0.0} ms; postgres_exporter 0.11 /metrics: median {Percentile(scrape, 50):0.0} ms (p90 {Percentile(scrape, 90):0.0}); ratio {Percentile(probe, 50) / Percentile(scrape, 50):0.00}; sizes {probeText.Length:N0} / {scrapeText.Length:N0} bytes");
    }
    finally
    {
        if (exporter is { HasExited: false })
        {
            exporter.Kill();
            await exporter.WaitForExitAsync();
        }

        exporter?.Dispose();
        foreach (var connection in held)
        {
            await connection.DisposeAsync();
        }

        Directory.Delete(directory, recursive: true);
    }
}

Process StartServe(string config, out Task<Uri> address)
{
    var info = new ProcessStartInfo(native ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    if (native is null)
    {
        info.ArgumentList.Add(cli);
    }

    foreach (var arg in new[] { "serve", "--config", config })
    {
        info.ArgumentList.Add(arg);
    }

    var process = Process.Start(info)!;
    var bound = new TaskCompletionSource<Uri>();
    process.OutputDataReceived += (_, e) =>
    {
        if (e.Data is { } line && line.Contains("listening on http://", StringComparison.Ordinal))
        {
            var start = line.IndexOf("http://", StringComparison.Ordinal);
            bound.TrySetResult(new Uri(line[start..line.IndexOf(' ', start)]));
        }
    };
    process.ErrorDataReceived += (_, e) =>
    {
        if (e.Data is { } line && line.StartsWith("pgmedic:", StringComparison.Ordinal))
        {
            Console.Error.WriteLine(line);
        }
    };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    address = bound.Task;
    return process;
}

static async Task<(double Milliseconds, string Text)> TimeAsync(HttpClient http, string path)
{
    var started = Stopwatch.StartNew();
    using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
    var text = await response.Content.ReadAsStringAsync();
    var elapsed = started.Elapsed.TotalMilliseconds;
    response.EnsureSuccessStatusCode();
    return (elapsed, text);
}

static async Task WaitListeningAsync(HttpClient http)
{
    for (var i = 0; i < 100; i++)
    {
        try
        {
            using var response = await http.GetAsync(new Uri("/", UriKind.Relative));
            return;
        }
        catch (HttpRequestException)
        {
            await Task.Delay(100);
        }
    }

    throw new InvalidOperationException("prometheus-postgres-exporter did not listen (apt-get install prometheus-postgres-exporter)");
}

static IEnumerable<double> Values(string metrics, string name) =>
    metrics.Split('\n').Where(l => l.StartsWith(name + "{", StringComparison.Ordinal))
        .Select(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

/// <summary>CPU clock ticks of a PostgreSQL server: the postmaster, its live children, and the children it already reaped (cutime/cstime).</summary>
static long ServerCpuTicks(int postmaster)
{
    long total = Ticks(postmaster, includeReaped: true);
    foreach (var dir in Directory.EnumerateDirectories("/proc"))
    {
        if (int.TryParse(Path.GetFileName(dir), out var pid) && pid != postmaster && ParentOf(pid) == postmaster)
        {
            total += Ticks(pid, includeReaped: false);
        }
    }

    return total;
}

static string[]? Stat(int pid)
{
    try
    {
        var text = File.ReadAllText($"/proc/{pid}/stat");
        return text[(text.LastIndexOf(')') + 2)..].Split(' ');
    }
    catch (IOException)
    {
        return null;
    }
}

static int ParentOf(int pid) => Stat(pid) is { } f ? int.Parse(f[1], CultureInfo.InvariantCulture) : -1;

static long Ticks(int pid, bool includeReaped)
{
    if (Stat(pid) is not { } f)
    {
        return 0;
    }

    // Fields after the command: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
    var own = long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture);
    return includeReaped ? own + long.Parse(f[13], CultureInfo.InvariantCulture) + long.Parse(f[14], CultureInfo.InvariantCulture) : own;
}

static long ReadStatus(int pid, string key) =>
    File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith(key, StringComparison.Ordinal))
        .Select(l => long.Parse(l[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture)).FirstOrDefault();

// Seconds as whole milliseconds; a poll that started a hair before its schedule reads 0, not "-0".
static string WholeMs(double seconds) => (Math.Round(seconds * 1000) + 0.0).ToString("0", CultureInfo.InvariantCulture);

static double Percentile(IReadOnlyList<double> values, double p)
{
    if (values.Count == 0)
    {
        return double.NaN;
    }

    var sorted = values.Order().ToList();
    var rank = p / 100 * (sorted.Count - 1);
    var low = (int)Math.Floor(rank);
    var high = (int)Math.Ceiling(rank);
    return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

static int FreePort()
{
    using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
    listener.Start();
    return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
}

string Option(string name, string fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
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
