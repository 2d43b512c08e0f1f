using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using PgMedic.Monitor.Configuration;
using PgMedic.Postgres.Targets;

namespace PgMedic.Monitor.Tests;

/// <summary><c>pgmedic serve</c> in-process on a free loopback port, with fast polls, and an HTTP client to it.</summary>
internal sealed class RunningMonitor : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _directory;

    private RunningMonitor(WebApplication app, string directory, MonitorOptions options)
    {
        _app = app;
        _directory = directory;
        Options = options;
        Address = MonitorHost.Address(app);
        Http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Address { get; }

    public HttpClient Http { get; }

    public MonitorOptions Options { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<RunningMonitor> StartAsync(ConnectionTarget target, Func<MonitorOptions, MonitorOptions>? configure = null, string name = "main")
    {
        var directory = Directory.CreateTempSubdirectory("pgmedic-monitor-test-").FullName;
        var options = new MonitorOptions
        {
            Targets = [Target(name, target)],
            PollInterval = TimeSpan.FromMilliseconds(250),
            Port = 0,
            HistoryPath = Path.Combine(directory, "history.db"),
            AuditLogPath = Path.Combine(directory, "audit.jsonl"),
        };
        options = configure?.Invoke(options) ?? options;
        var app = MonitorHost.Build(options, new MonitorHostSettings { MinimumLogLevel = LogLevel.Warning });
        await app.StartAsync();
        return new RunningMonitor(app, directory, options);
    }

    public static MonitoredTarget Target(string name, ConnectionTarget target) =>
        new(name, target, new Core.Diagnosis.DiagnosisOptions(), new Core.Alerts.AlertRuleOptions(), [], null);

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(new Uri(path, UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Polls the alerts API until <paramref name="condition"/> holds; returns how long it took.</summary>
    public async Task<TimeSpan> WaitForAlertsAsync(Func<IReadOnlyList<JsonElement>, bool> condition, string what, TimeSpan? timeout = null)
    {
        var stopwatch = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        while (true)
        {
            var alerts = (await GetJsonAsync("/api/alerts")).EnumerateArray().ToList();
            if (condition(alerts))
            {
                return stopwatch.Elapsed;
            }

            if (stopwatch.Elapsed > limit)
            {
                throw new TimeoutException($"never saw {what}; alerts were: {string.Join("; ", alerts.Select(a => a.ToString()))}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Waits until every target has been polled once.</summary>
    public async Task WaitForFirstPollAsync()
    {
        var stopwatch = Stopwatch.StartNew();
        while ((await GetJsonAsync("/api/targets")).EnumerateArray().Any(t => t.GetProperty("polledAt").ValueKind == JsonValueKind.Null))
        {
            if (stopwatch.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new TimeoutException("no first poll within 20 s");
            }

            await Task.Delay(50);
        }
    }

    public static bool Firing(IReadOnlyList<JsonElement> alerts, string alert, string severity) =>
        alerts.Any(a => a.GetProperty("alert").GetString() == alert && a.GetProperty("severity").GetString() == severity && a.GetProperty("state").GetString() == "firing");

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by the runtime; the temp directory is cleaned by the OS.
        }
    }
}
