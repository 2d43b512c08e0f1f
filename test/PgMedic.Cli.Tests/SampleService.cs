using System.Diagnostics;
using System.Net;
using System.Text;
using PgMedic.Postgres.Targets;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests;

/// <summary>The sample API (samples/PgMedic.Sample.Api) as a real process on 127.0.0.1, its pool guarded by PgMedic.Guard.</summary>
internal sealed class SampleService : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SampleService(Process process, int port)
    {
        _process = process;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public Uri PoolEndpoint => new(BaseAddress, "/health/pool");

    /// <summary>Source file and line of the deliberate leak, as the guard records it.</summary>
    public static (string File, int Line) LeakCallSite()
    {
        var file = Path.Combine(BuildOutput.RepositoryRoot(), "samples", "PgMedic.Sample.Api", "Orders", "OrdersApi.cs");
        var lines = File.ReadAllLines(file);
        var index = Array.FindIndex(lines, l => l.TrimStart().StartsWith("var connection = await database.OpenConnectionAsync", StringComparison.Ordinal));
        return (file, index + 1);
    }

    public static async Task<SampleService> StartAsync(ConnectionTarget database, int poolSize = 10, IReadOnlyDictionary<string, string>? extra = null)
    {
        var port = SilentListener.UnusedPort();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(BuildOutput.Assembly(Path.Combine("samples", "PgMedic.Sample.Api"), "PgMedic.Sample.Api.dll"));
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{port}");
        info.Environment["DATABASE_URL"] = database.ToUrl();
        info.Environment["DATABASE_POOL_SIZE"] = poolSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["DATABASE_MAX_OVERFLOW"] = "0";
        info.Environment["DATABASE_POOL_TIMEOUT"] = "2";
        info.Environment["DATABASE_LEAK_THRESHOLD"] = "1";
        info.Environment["SAMPLE_LEAK_ENDPOINT"] = "true";
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info)!;
        var service = new SampleService(process, port);
        process.OutputDataReceived += (_, e) => service.Append(e.Data);
        process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await service.Http.GetAsync(new Uri("/health", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return service;
                }
            }
            catch (HttpRequestException) when (stopwatch.Elapsed < TimeSpan.FromSeconds(30) && !process.HasExited)
            {
                await Task.Delay(100);
                continue;
            }

            if (stopwatch.Elapsed > TimeSpan.FromSeconds(30) || process.HasExited)
            {
                await service.DisposeAsync();
                throw new InvalidOperationException($"the sample service did not become healthy: {service.Output}");
            }

            await Task.Delay(100);
        }
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>POST /demo/leak; returns the leaked connection's backend PID.</summary>
    public async Task<int> LeakAsync(bool inTransaction)
    {
        using var response = await Http.PostAsync(new Uri($"/demo/leak?transaction={(inTransaction ? "true" : "false")}", UriKind.Relative), null);
        response.EnsureSuccessStatusCode();
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("backendPid").GetInt32();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
