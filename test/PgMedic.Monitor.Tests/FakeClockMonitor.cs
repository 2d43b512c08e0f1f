using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PgMedic.Monitor.Configuration;
using PgMedic.Monitor.Polling;

namespace PgMedic.Monitor.Tests;

/// <summary>
/// <c>pgmedic serve</c> in-process on a <see cref="FakeTimeProvider"/>: nothing happens until the test moves the
/// clock, and each move by at least the poll interval is exactly one poll (a longer one is a poll that came late).
/// The real server, services and HTTP answer in real time.
/// </summary>
internal sealed class FakeClockMonitor : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeClockMonitor(WebApplication app, MonitorOptions options, FakeTimeProvider time)
    {
        _app = app;
        Options = options;
        Time = time;
        Address = MonitorHost.Address(app);
        Http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public FakeTimeProvider Time { get; }

    public MonitorOptions Options { get; }

    public Uri Address { get; }

    public HttpClient Http { get; }

    public MonitorState State => _app.Services.GetRequiredService<MonitorState>();

    public PollingService Polling => _app.Services.GetRequiredService<PollingService>();

    public static async Task<FakeClockMonitor> StartAsync(MonitorOptions options, FakeTimeProvider time)
    {
        var app = MonitorHost.Build(options with { Port = 0 }, new MonitorHostSettings { Time = time, MinimumLogLevel = LogLevel.Warning });
        await app.StartAsync();
        var monitor = new FakeClockMonitor(app, options, time);
        await monitor.Polling.Restored;
        await monitor.WaitPolledAsync();
        return monitor;
    }

    /// <summary>Moves the clock on by <paramref name="by"/> and waits for the poll it starts to finish.</summary>
    public async Task StepAsync(TimeSpan by)
    {
        Time.Advance(by);
        await WaitPolledAsync();
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(new Uri(path, UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Runs <c>pgmedic</c> in-process with the monitor's clock (a user at that moment).</summary>
    public Task<(int ExitCode, string Out, string Error)> CliAsync(params string[] args) => InProcessCli.RunAsync(Time, args);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    private async Task WaitPolledAsync()
    {
        var now = Time.GetUtcNow();
        var stopwatch = Stopwatch.StartNew();
        while (Options.Targets.Any(t => State.Get(t.Name)?.PolledAt != now))
        {
            if (stopwatch.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"no poll at {now:O} within 30 s");
            }

            await Task.Delay(2);
        }
    }
}
