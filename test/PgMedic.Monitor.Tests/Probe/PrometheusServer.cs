using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using PgMedic.Testing;

namespace PgMedic.Monitor.Tests.Probe;

/// <summary>
/// A real Prometheus (Debian's <c>prometheus</c>) on a free loopback port, with its own data directory
/// and the configuration a test writes; stopped by its PID and removed on dispose. Retention is one hour
/// and nothing leaves 127.0.0.1.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private PrometheusServer(Process process, string directory, Uri address)
    {
        _process = process;
        Directory = directory;
        Address = address;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
    }

    public string Directory { get; }

    public Uri Address { get; }

    public HttpClient Http { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <param name="files">Files written into Prometheus' directory before it starts (the rule file, for one); <c>prometheus.yml</c> is the configuration.</param>
    public static async Task<PrometheusServer> StartAsync(string configuration, IReadOnlyDictionary<string, string>? files = null)
    {
        var binary = ToolPaths.Require("/usr/bin/prometheus", "prometheus");
        var directory = System.IO.Directory.CreateTempSubdirectory("pgmedic-prometheus-test-").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "prometheus.yml"), configuration);
        foreach (var (name, text) in files ?? new Dictionary<string, string>())
        {
            await File.WriteAllTextAsync(Path.Combine(directory, name), text);
        }

        var port = SilentListener.UnusedPort();
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var arg in new[]
        {
            "--config.file=" + Path.Combine(directory, "prometheus.yml"),
            "--storage.tsdb.path=" + Path.Combine(directory, "data"),
            "--storage.tsdb.retention.time=1h",
            $"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        var server = new PrometheusServer(process, directory, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var ready = await server.Http.GetAsync(new Uri("/-/ready", UriKind.Relative));
                if (ready.IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (process.HasExited || stopwatch.Elapsed > TimeSpan.FromSeconds(30))
            {
                var log = server.Log;
                await server.DisposeAsync();
                throw new InvalidOperationException($"Prometheus did not become ready within 30 s:\n{log}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>An instant query: each result's labels and value.</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>> QueryAsync(string promql)
    {
        var answer = await Http.GetFromJsonAsync<JsonElement>(new Uri("/api/v1/query?query=" + Uri.EscapeDataString(promql), UriKind.Relative));
        return answer.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(r => ((IReadOnlyDictionary<string, string>)r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
                double.Parse(r.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
    }

    /// <summary>The alerts Prometheus holds now (pending and firing), each as its labels and state.</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, string State)>> AlertsAsync()
    {
        var answer = await Http.GetFromJsonAsync<JsonElement>(new Uri("/api/v1/alerts", UriKind.Relative));
        return answer.GetProperty("data").GetProperty("alerts").EnumerateArray()
            .Select(a => ((IReadOnlyDictionary<string, string>)a.GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!), a.GetProperty("state").GetString()!))
            .ToList();
    }

    /// <summary>Each scrape target's labels, health and last error, as Prometheus' target page shows them.</summary>
    public async Task<string> TargetsAsync() => await Http.GetStringAsync(new Uri("/api/v1/targets", UriKind.Relative));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still being closed; the temp directory is cleaned by the OS.
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
