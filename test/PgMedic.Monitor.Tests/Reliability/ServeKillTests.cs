using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using PgMedic.Testing;

namespace PgMedic.Monitor.Tests.Reliability;

/// <summary>
/// <c>kill -9</c> of the real <c>serve</c> at the worst moments: while a webhook request is open (the
/// receiver holds it unanswered), and during a burst of history writes right after an action it audited.
/// After a restart: SQLite passes integrity_check and keeps recording, every state change is acknowledged
/// by the receiver exactly once and in order (the interrupted one is sent again with the same event id),
/// and every audit record of the action is whole.
/// </summary>
[Collection(MonitorCollection.Name)]
public sealed class ServeKillTests(MonitorSandbox fixture) : IDisposable
{
    private const string Token = "kill-test-token-0123456789";
    private readonly string _directory = Directory.CreateTempSubdirectory("pgmedic-kill-").FullName;

    private string History => Path.Combine(_directory, "history.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task KilledWhileAWebhookRequestIsOpen_RestartDeliversEachStateChangeOnceInOrder()
    {
        var clock = Stopwatch.StartNew();
        await using var receiver = new HoldingReceiver();
        await receiver.StartAsync();
        var config = await WriteConfigAsync("250ms", $$"""
            "targets": [ { "name": "shop", "connection": "{{fixture.Sandbox.SuperuserTarget.ToUrl()}}" } ],
            "alerts": {
              "connectionSaturation": { "for": "0s", "warningPercent": 60, "criticalPercent": 100 },
              "exhaustionForecast": { "enabled": false }, "leakGrowth": { "enabled": false }, "idleInTransaction": { "enabled": false },
              "blockingChain": { "enabled": false }, "databaseConnectionFailure": { "enabled": false }, "sloBurnRate": { "enabled": false }
            },
            "webhooks": [ { "name": "ops", "url": "{{receiver.Url}}", "format": "generic" } ],
            "delivery": { "initialBackoff": "200ms", "maxBackoff": "1s", "requestTimeout": "30s" }
            """);

        // The warning fires; its webhook request reaches the receiver, which holds it open; serve is killed then.
        TimeSpan killedAfter;
        using (var first = PgMedicProcess.Start("serve", "--config", config))
        {
            await first.WaitForAddressAsync(TimeSpan.FromSeconds(30));
            // 17 held and the lifeline: 72 % of 25 usable slots, the warning alone, whatever else lingers on the server.
            await using var held = await HeldConnections.OpenAsync(fixture.Sandbox.SuperuserTarget, 17, "kill-filler");
            await WaitForAsync(() => !receiver.Unanswered.IsEmpty, "the firing webhook request, held open");
            var opened = Stopwatch.StartNew();
            await Task.Delay(200);
            first.Kill();
            killedAfter = opened.Elapsed;
        }

        receiver.Answer();
        using var second = PgMedicProcess.Start("serve", "--config", config);
        await second.WaitForAddressAsync(TimeSpan.FromSeconds(30));
        await WaitForAsync(() => receiver.Answered.Count >= 2, "the firing (again) and the resolved webhook");
        await Task.Delay(1000);
        second.Interrupt();
        await second.WaitForExitAsync(TimeSpan.FromSeconds(20));

        var interrupted = receiver.Unanswered.Single();
        var answered = receiver.Answered.ToList();
        var changes = answered.Select(d => $"{d.GetProperty("alert").GetString()} {d.GetProperty("severity").GetString()} {d.GetProperty("state").GetString()}").ToList();
        var integrity = IntegrityCheck();
        ReliabilityRecord.Fault(
            "`kill -9` of `serve` while its webhook request is open (the receiver holds it), then a restart",
            $"killed {killedAfter.TotalSeconds:0.0} s into the open request; after the restart the receiver acknowledged: {string.Join(", ", changes)} — each event id once, in order (the interrupted one re-sent with its own id); SQLite integrity_check: {integrity}",
            "ServeKillTests.KilledWhileAWebhookRequestIsOpen_RestartDeliversEachStateChangeOnceInOrder",
            clock.Elapsed);

        Assert.Equal(["connection-saturation warning firing", "connection-saturation warning resolved"], changes);
        Assert.Equal(answered.Count, answered.Select(EventId).Distinct().Count());
        Assert.Equal(EventId(interrupted), EventId(answered[0]));
        Assert.Equal("ok", integrity);
    }

    [Fact]
    public async Task KilledDuringABurstOfHistoryWritesAfterAnAction_HistoryOutboxAndAuditLogIntactAndRecordingResumes()
    {
        var clock = Stopwatch.StartNew();
        var audit = Path.Combine(_directory, "audit.jsonl");
        var url = fixture.Sandbox.SuperuserTarget.ToUrl();
        var config = await WriteConfigAsync("100ms", $$"""
            "accessToken": "{{Token}}",
            "readOnly": false,
            "auditLog": "{{audit}}",
            "targets": [ {{string.Join(", ", Enumerable.Range(1, 6).Select(i => $$"""{ "name": "burst{{i}}", "connection": "{{url}}" }"""))}} ]
            """);
        await using var victim = await HeldConnections.OpenAsync(fixture.Sandbox.SuperuserTarget, 1, "kill-victim");
        var pid = victim.Pids[0];

        // The action: terminate one session through the API (audited), then kills at three moments of the write burst.
        long samplesAtLastKill = 0;
        var kills = new List<long>();
        for (var round = 0; round < 3; round++)
        {
            using var serve = PgMedicProcess.Start("serve", "--config", config);
            var address = await serve.WaitForAddressAsync(TimeSpan.FromSeconds(30));
            using var http = new HttpClient { BaseAddress = address };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            await WaitForAsync(async () => (await http.GetStringAsync(new Uri("/api/targets", UriKind.Relative))).Contains("\"polledAt\":\"", StringComparison.Ordinal), "the first polls");
            if (round == 0)
            {
                await ServerState.WaitUntilAsync(fixture.Sandbox, $"EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = {pid} AND state = 'idle')");
                using var terminated = await http.PostAsync(new Uri($"/api/targets/burst1/actions/terminate/{pid}", UriKind.Relative), new StringContent("{}", Encoding.UTF8, "application/json"));
                Assert.Equal(HttpStatusCode.OK, terminated.StatusCode);
            }

            // Six targets every 100 ms: about sixty poll transactions a second are being written when the kill lands.
            await Task.Delay(400 + (round * 170));
            serve.Kill();
            kills.Add(samplesAtLastKill = CountSamples());
        }

        var integrity = IntegrityCheck();
        var outbox = Scalar("SELECT count(*) FROM outbox");
        using (var again = PgMedicProcess.Start("serve", "--config", config))
        {
            await again.WaitForAddressAsync(TimeSpan.FromSeconds(30));
            await WaitForAsync(() => Task.FromResult(CountSamples() > samplesAtLastKill + 12), "new samples after the restart");
            again.Interrupt();
            await again.WaitForExitAsync(TimeSpan.FromSeconds(20));
        }

        var lines = await File.ReadAllLinesAsync(audit);
        var records = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var actions = records.Where(r => r.TryGetProperty("action", out var a) && a.ValueKind == JsonValueKind.Object && a.GetProperty("pid").GetInt32() == pid).Select(r => r.GetProperty("event").GetString()).ToList();
        ReliabilityRecord.Fault(
            "`kill -9` of `serve` three times during a burst of history writes (6 targets every 100 ms), after a terminate through its API, then a restart",
            $"samples at each kill: {string.Join(", ", kills)}; SQLite integrity_check: {integrity}; outbox rows: {outbox}; {lines.Length} audit lines, all whole JSON, the action's: {string.Join(", ", actions)}; recording resumed after the restart",
            "ServeKillTests.KilledDuringABurstOfHistoryWritesAfterAnAction_HistoryOutboxAndAuditLogIntactAndRecordingResumes",
            clock.Elapsed);

        Assert.Equal("ok", integrity);
        Assert.True(kills[^1] > kills[0], string.Join(", ", kills));
        Assert.Equal(["action-started", "action-finished"], actions);
        Assert.All(records, r => Assert.Equal("serve", r.GetProperty("origin").GetString()));
        Assert.Contains(records, r => r.GetProperty("event").GetString() == "action-finished" && r.GetProperty("result").GetString() == "terminated");
    }

    private static string EventId(JsonElement delivery) => delivery.GetProperty("eventId").GetString()!;

    private async Task<string> WriteConfigAsync(string pollInterval, string body)
    {
        var config = Path.Combine(_directory, "pgmedic.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "pollInterval": "{{pollInterval}}",
              "port": 0,
              "history": { "path": "{{History}}" },
              {{body}}
            }
            """);
        return config;
    }

    private string IntegrityCheck() => (string)Scalar("PRAGMA integrity_check");

    private long CountSamples() => (long)Scalar("SELECT count(*) FROM samples");

    private object Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={History};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar()!;
    }

    private static Task WaitForAsync(Func<bool> condition, string what) => WaitForAsync(() => Task.FromResult(condition()), what);

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"never saw {what}");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// A webhook receiver that, until <see cref="Answer"/>, reads each request and never answers it (the
    /// sender's request stays open); afterwards it answers 200. Only answered deliveries count as delivered.
    /// </summary>
    private sealed class HoldingReceiver : IAsyncDisposable
    {
        private readonly TaskCompletionSource _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private WebApplication? _app;

        public HoldingReceiver() => Port = SilentListener.UnusedPort();

        public int Port { get; }

        public Uri Url => new($"http://127.0.0.1:{Port}/hook");

        public ConcurrentQueue<JsonElement> Unanswered { get; } = new();

        public ConcurrentQueue<JsonElement> Answered { get; } = new();

        public void Answer() => _answer.TrySetResult();

        public async Task StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, Port));
            _app = builder.Build();
            _app.MapPost("/hook", async (HttpRequest request, CancellationToken aborted) =>
            {
                var body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body, cancellationToken: aborted);
                if (!_answer.Task.IsCompleted)
                {
                    Unanswered.Enqueue(body);
                    try
                    {
                        // Held until the sender goes away (killed): nothing is ever answered to it.
                        await Task.Delay(Timeout.Infinite, aborted);
                    }
                    catch (OperationCanceledException)
                    {
                    }

                    return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
                }

                Answered.Enqueue(body);
                return Results.Ok();
            });
            await _app.StartAsync();
        }

        public async ValueTask DisposeAsync()
        {
            if (_app is not null)
            {
                await _app.StopAsync();
                await _app.DisposeAsync();
            }
        }
    }
}
