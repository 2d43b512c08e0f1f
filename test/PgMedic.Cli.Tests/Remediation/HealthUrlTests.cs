using System.Net;
using System.Net.Sockets;
using System.Text;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Remediation;

/// <summary>
/// The runbook's Verification 3 against a real HTTP service on 127.0.0.1: heal declares recovery only once
/// the application's health URL answers the runbook's JSON.
/// </summary>
public sealed class HealthUrlTests : IAsyncLifetime
{
    private const string Healthy = "{\"status\": \"healthy\", \"database\": \"connected\"}";
    private readonly string _audit = Path.Combine(Path.GetTempPath(), $"pgmedic-health-{Guid.NewGuid():N}.jsonl");
    private PostgresSandbox _sandbox = null!;
    private HeldConnections _leaked = null!;
    private PgMedic.Postgres.Targets.ConnectionTarget _app = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        await _sandbox.ExecuteAsync("CREATE DATABASE shop");
        _app = await _sandbox.CreateRoleAsync("app", "app-pw", database: "shop");
        _leaked = await HeldConnections.OpenAsync(_app, 2, "leaky-api");
        await Task.Delay(1200);
    }

    public async Task DisposeAsync()
    {
        await _leaked.DisposeAsync();
        await _sandbox.DisposeAsync();
        File.Delete(_audit);
    }

    [Fact]
    public async Task HealYes_ApiAnswers503ThenHealthy_WaitsRecordsAndReports()
    {
        using var api = HealthService.Start(unhealthyAnswers: 2);

        var run = await CliRun.InvokeAsync("heal", _sandbox.SuperuserTarget.WithDatabase("shop").ToUrl(), "--idle-for", "1s", "--app-role", "app", "--yes", "--health-url", api.Url + "?token=secret-token", "--health-timeout", "20s", "--audit-log", _audit);
        var report = await CliRun.InvokeAsync("report", "--audit-log", _audit);

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal(3, api.Requests);
        Assert.Contains($"Health {api.Url}: healthy — HTTP 200 after 3 attempt(s)", run.Out, StringComparison.Ordinal);
        var record = File.ReadAllLines(_audit).Single(l => l.Contains("\"event\":\"health-check\"", StringComparison.Ordinal));
        Assert.Contains("\"result\":\"healthy\"", record, StringComparison.Ordinal);
        Assert.Contains($"{api.Url}: HTTP 200 after 3 attempt(s)", record, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token", File.ReadAllText(_audit) + run.All, StringComparison.Ordinal);
        Assert.Contains("health-check", report.Out, StringComparison.Ordinal);
        Assert.Contains($"{api.Url}: HTTP 200", report.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealYes_ApiNeverHealthy_ExitTwoRecordedNotHealthy()
    {
        using var api = HealthService.Start(unhealthyAnswers: int.MaxValue);

        var run = await CliRun.InvokeAsync("heal", _sandbox.SuperuserTarget.WithDatabase("shop").ToUrl(), "--idle-for", "1s", "--app-role", "app", "--yes", "--health-url", api.Url, "--health-timeout", "2s", "--audit-log", _audit);

        Assert.Equal(2, run.ExitCode);
        Assert.True(api.Requests >= 2, $"asked {api.Requests} time(s)");
        Assert.True(run.Out.Contains($"Health {api.Url}: NOT healthy — HTTP 503", StringComparison.Ordinal), run.Out);
        Assert.Contains("The application did not answer healthy within 2s", run.Out, StringComparison.Ordinal);
        var record = File.ReadAllLines(_audit).Single(l => l.Contains("\"event\":\"health-check\"", StringComparison.Ordinal));
        Assert.Contains("\"result\":\"not-healthy\"", record, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmergencyYes_ApiAnswers503ThenHealthy_RecoveryDeclaredOnlyAfterTheHealthyAnswer()
    {
        using var api = HealthService.Start(unhealthyAnswers: 2);

        var run = await CliRun.InvokeAsync("emergency", Url, "--yes", "--confirm-database", "shop", "--health-url", api.Url, "--health-timeout", "20s", "--audit-log", _audit);

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal(3, api.Requests);
        var healthLine = run.Lines.ToList().FindIndex(l => l.StartsWith($"Health {api.Url}: healthy — HTTP 200 after 3 attempt(s)", StringComparison.Ordinal));
        var finished = run.Lines.ToList().FindIndex(l => l.Contains("Emergency playbook finished", StringComparison.Ordinal));
        Assert.True(healthLine >= 0 && finished > healthLine, run.Out);

        // The audit log: the health check comes after the database's verification, and it is the healthy answer.
        var events = File.ReadAllLines(_audit).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        var check = events.FindIndex(e => Field(e, "event") == "health-check");
        var verified = events.FindLastIndex(e => Field(e, "event") == "verification");
        Assert.True(verified >= 0 && check > verified, string.Join('\n', events));
        Assert.Equal("healthy", Field(events[check], "result"));
        Assert.Contains($"{api.Url}: HTTP 200 after 3 attempt(s)", Field(events[check], "detail"), StringComparison.Ordinal);
        Assert.DoesNotContain(events, e => Field(e, "event") == "stopped");
    }

    [Fact]
    public async Task EmergencyYes_ApiNeverHealthy_ExitTwoNoRecoveryClaimedRecordedNotHealthy()
    {
        using var api = HealthService.Start(unhealthyAnswers: int.MaxValue);

        var run = await CliRun.InvokeAsync("emergency", Url, "--yes", "--confirm-database", "shop", "--health-url", api.Url, "--health-timeout", "2s", "--audit-log", _audit);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"Health {api.Url}: NOT healthy — HTTP 503", run.Out, StringComparison.Ordinal);
        Assert.Contains("Stopped at step 6 (health-check)", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Emergency playbook finished", run.Out, StringComparison.Ordinal);
        var record = File.ReadAllLines(_audit).Single(l => l.Contains("\"event\":\"health-check\"", StringComparison.Ordinal));
        Assert.Contains("\"result\":\"not-healthy\"", record, StringComparison.Ordinal);
    }

    private string Url => _sandbox.SuperuserTarget.WithDatabase("shop").ToUrl();

    private static string? Field(System.Text.Json.JsonElement record, string name) =>
        record.TryGetProperty(name, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String ? value.GetString() : null;

    /// <summary>A /health endpoint that answers 503 a number of times, then the runbook's JSON.</summary>
    private sealed class HealthService : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly int _unhealthyAnswers;
        private int _requests;

        private HealthService(int unhealthyAnswers, int port)
        {
            _unhealthyAnswers = unhealthyAnswers;
            Url = $"http://127.0.0.1:{port}/health";
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _ = Task.Run(ServeAsync);
        }

        public string Url { get; }

        public int Requests => Volatile.Read(ref _requests);

        public static HealthService Start(int unhealthyAnswers)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            return new HealthService(unhealthyAnswers, port);
        }

        public void Dispose() => _listener.Close();

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                var healthy = Interlocked.Increment(ref _requests) > _unhealthyAnswers;
                var body = Encoding.UTF8.GetBytes(healthy ? Healthy : "{\"status\": \"starting\", \"database\": \"disconnected\"}");
                context.Response.StatusCode = healthy ? 200 : 503;
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        }
    }
}
