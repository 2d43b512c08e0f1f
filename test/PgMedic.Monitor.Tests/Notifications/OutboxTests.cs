using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using PgMedic.Core.Alerts;
using PgMedic.Testing;

namespace PgMedic.Monitor.Tests.Notifications;

/// <summary>The durable outbox: a receiver that is down, a monitor killed and restarted in between — no notification lost.</summary>
[Collection(MonitorCollection.Name)]
public sealed class OutboxTests(MonitorSandbox fixture) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pgmedic-outbox-test-").FullName;

    [Fact]
    public async Task Webhooks_ReceiverDownAndMonitorKilledInBetween_EveryStateChangeArrivesExactlyOnce()
    {
        var clock = Stopwatch.StartNew();
        var sandbox = fixture.Sandbox;
        await using var receiver = new WebhookReceiver();
        var config = Path.Combine(_directory, "pgmedic.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "pollInterval": "250ms",
              "port": 0,
              "history": { "path": "{{Path.Combine(_directory, "history.db")}}" },
              "targets": [ { "name": "shop", "connection": "{{sandbox.SuperuserTarget.ToUrl()}}" } ],
              "alerts": { "connectionSaturation": { "warningPercent": 60, "criticalPercent": 100 }, "exhaustionForecast": { "enabled": false }, "leakGrowth": { "enabled": false } },
              "webhooks": [ { "name": "ops", "url": "{{receiver.Url}}", "format": "generic" } ],
              "delivery": { "initialBackoff": "200ms", "maxBackoff": "1s" }
            }
            """);

        // The receiver is down: the warning fires and its notification waits in the outbox.
        using (var first = PgMedicProcess.Start("serve", "--config", config))
        {
            var address = await first.WaitForAddressAsync(TimeSpan.FromSeconds(30));
            using var http = new HttpClient { BaseAddress = address };
            // 17 held and the monitor's lifeline: 72 % of 25 usable slots, the warning alone, whatever else lingers on the server.
            await using var held = await HeldConnections.OpenAsync(sandbox.SuperuserTarget, 17, "filler");
            await WaitAsync(http, alerts => alerts.Any(a => a.GetProperty("alert").GetString() == AlertNames.ConnectionSaturation && a.GetProperty("state").GetString() == "firing"), "the warning firing");
            await Task.Delay(700);
            first.Kill();
        }

        // Restarted with the connections gone: it remembers the firing alert, resolves it, and still owes both notifications.
        using var second = PgMedicProcess.Start("serve", "--config", config);
        var again = await second.WaitForAddressAsync(TimeSpan.FromSeconds(30));
        using var client = new HttpClient { BaseAddress = again };
        await WaitAsync(client, alerts => alerts.Count == 0, "the warning resolved after the restart");
        Assert.Empty(receiver.Deliveries);

        await receiver.StartAsync();
        var up = Stopwatch.StartNew();
        var timeline = (await client.GetFromJsonAsync<JsonElement>("/api/alerts/events")).EnumerateArray()
            .Where(e => e.GetProperty("state").GetString() != "pending")
            .Select(e => e.GetProperty("eventId").GetString()!)
            .ToHashSet();
        var stopwatch = Stopwatch.StartNew();
        while (!timeline.SetEquals(receiver.Deliveries.Select(d => d.GetProperty("eventId").GetString()!)) && stopwatch.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(100);
        }

        await Task.Delay(1000);
        var received = receiver.Deliveries.ToList();
        ReliabilityRecord.Fault(
            "webhook receiver down while an alert fires, `kill -9` of `serve`, restart (the alert resolves), then the receiver up",
            $"nothing lost: {received.Count} deliveries for {timeline.Count} state changes within {up.Elapsed.TotalSeconds:0.0} s of the receiver coming up",
            "OutboxTests.Webhooks_ReceiverDownAndMonitorKilledInBetween_EveryStateChangeArrivesExactlyOnce",
            clock.Elapsed);
        Assert.Equal(timeline.Order(), received.Select(d => d.GetProperty("eventId").GetString()!).Distinct().Order());
        var changes = received.DistinctBy(d => d.GetProperty("eventId").GetString())
            .Select(d => $"{d.GetProperty("alert").GetString()} {d.GetProperty("severity").GetString()} {d.GetProperty("state").GetString()}")
            .ToList();
        Assert.Equal(["connection-saturation warning firing", "connection-saturation warning resolved"], changes);
        Assert.Equal(received.Count, received.DistinctBy(d => d.GetProperty("eventId").GetString()).Count());
        Assert.All(received, d => Assert.DoesNotContain(sandbox.SuperuserPassword, d.ToString(), StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static async Task WaitAsync(HttpClient http, Func<List<JsonElement>, bool> condition, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var alerts = (await http.GetFromJsonAsync<JsonElement>("/api/alerts")).EnumerateArray().ToList();
            if (condition(alerts))
            {
                return;
            }

            if (stopwatch.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new TimeoutException($"never saw {what}: {string.Join("; ", alerts)}");
            }

            await Task.Delay(100);
        }
    }
}
