using System.Diagnostics;
using Npgsql;
using PgMedic.Core.Alerts;
using PgMedic.Monitor.Configuration;
using PgMedic.Monitor.Tests.Notifications;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Monitor.Tests.Polling;

/// <summary>
/// The lifeline killed again and again while an alert fires: polls without a snapshot hold the alert
/// (no "resolved" then "firing" a second later), and /health says the view is stale, not healthy.
/// </summary>
[Collection(MonitorCollection.Name)]
public sealed class LostViewTests(MonitorSandbox fixture)
{
    [Fact]
    public async Task LifelineTerminatedWhileSaturationFires_NoResolveNoRefireAndHealthSaysStale()
    {
        var clock = Stopwatch.StartNew();
        var sandbox = fixture.Sandbox;
        await using var receiver = new WebhookReceiver();
        await receiver.StartAsync();
        var alerts = new AlertRuleOptions
        {
            ConnectionSaturation = new SaturationRuleOptions { For = TimeSpan.Zero },
            DatabaseConnectionFailure = new FailureRuleOptions { Enabled = false },
            LeakGrowth = new LeakGrowthRuleOptions { Enabled = false },
            ExhaustionForecast = new ForecastRuleOptions { Enabled = false },
        };
        await using var monitor = await RunningMonitor.StartAsync(sandbox.SuperuserTarget, o => o with
        {
            Targets = [o.Targets[0] with { Alerts = alerts }],
            Webhooks = [new WebhookOptions("ops", receiver.Url, WebhookFormat.Generic, new Dictionary<string, string>())],
            Delivery = new DeliveryOptions { InitialBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromMilliseconds(500) },
        });

        // 20 held, the lifeline and (later) the killer on 25 usable slots: 84-88 %, the warning alone.
        await using var held = await HeldConnections.OpenAsync(sandbox.SuperuserTarget, 20, "lost-view-app");
        await monitor.WaitForAlertsAsync(a => RunningMonitor.Firing(a, AlertNames.ConnectionSaturation, "warning"), "the warning firing");
        await WaitForDeliveriesAsync(receiver, 1);

        var statuses = new HashSet<string>();
        await using (var killer = await PostgresSandbox.OpenAsync(sandbox.SuperuserTarget, applicationName: "lifeline-killer"))
        {
            var stopwatch = Stopwatch.StartNew();
            while (stopwatch.Elapsed < TimeSpan.FromSeconds(3))
            {
                await new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pgmedic' AND query NOT LIKE 'SELECT 1%' AND pid <> pg_backend_pid()", killer).ExecuteNonQueryAsync();
                using var health = await monitor.Http.GetAsync(new Uri("/health", UriKind.Relative));
                var body = System.Text.Json.JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement;
                statuses.Add(body.GetProperty("status").GetString()!);
                await Task.Delay(40);
            }
        }

        await monitor.WaitForAlertsAsync(a => RunningMonitor.Firing(a, AlertNames.ConnectionSaturation, "warning"), "the warning still firing");
        await Task.Delay(1000);

        var deliveries = receiver.Deliveries.Select(d => $"{d.GetProperty("alert").GetString()} {d.GetProperty("severity").GetString()} {d.GetProperty("state").GetString()}").ToList();
        ReliabilityRecord.Fault(
            "`pg_terminate_backend` of `serve`'s lifeline every 40 ms for 3 s while the saturation warning fires",
            $"/health said {string.Join(" and ", statuses.Order())}; webhooks: {string.Join(", ", deliveries)} (no resolve/fire flap)",
            "LostViewTests.LifelineTerminatedWhileSaturationFires_NoResolveNoRefireAndHealthSaysStale",
            clock.Elapsed);
        Assert.Contains("stale", statuses);
        Assert.Equal(["connection-saturation warning firing"], deliveries);
    }

    private static async Task WaitForDeliveriesAsync(WebhookReceiver receiver, int count)
    {
        var stopwatch = Stopwatch.StartNew();
        while (receiver.Deliveries.Count < count)
        {
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), "no webhook delivery arrived");
            await Task.Delay(50);
        }
    }
}
