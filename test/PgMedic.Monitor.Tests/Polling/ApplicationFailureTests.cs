using System.Diagnostics;
using System.Net;
using System.Text.Json;
using PgMedic.Core.Alerts;
using PgMedic.Monitor.Configuration;
using PgMedic.Monitor.Tests.Notifications;
using static PgMedic.Monitor.Tests.RunningMonitor;

namespace PgMedic.Monitor.Tests.Polling;

/// <summary>
/// database-connection-failure from a real service's own checkouts (its PgMedic.Guard <c>/health/pool</c>
/// counters), while the monitor's own probe keeps succeeding: the runbook's trigger as the application sees it.
/// </summary>
[Collection(MonitorCollection.Name)]
public sealed class ApplicationFailureTests(MonitorSandbox fixture)
{
    [Fact]
    public async Task DatabaseConnectionFailure_OneInFiveCheckoutsTimeOutWhileTheProbeSucceeds_FiresAfterItsWindowWithSignalApplicationAndResolvesOnRecovery()
    {
        var sandbox = fixture.Sandbox;
        var window = TimeSpan.FromSeconds(10);
        await using var service = await GuardedShopService.StartAsync(sandbox.SuperuserTarget);
        await using var receiver = new WebhookReceiver();
        await receiver.StartAsync();
        await using var monitor = await StartAsync(sandbox.SuperuserTarget, o => WithService(o, service.PoolEndpoint, window) with
        {
            Webhooks = [new WebhookOptions("ops", receiver.Url, WebhookFormat.Generic, new Dictionary<string, string>())],
        });
        await monitor.WaitForFirstPollAsync();

        var failing = Stopwatch.StartNew();
        await service.RunFailingLoadAsync();
        var firedAfter = await monitor.WaitForAlertsAsync(a => Firing(a, AlertNames.DatabaseConnectionFailure, "critical"), "database-connection-failure firing", TimeSpan.FromSeconds(40));
        Assert.True(firedAfter >= window, $"fired {firedAfter} after the timeouts began, before its {window} window");

        var alert = (await monitor.GetJsonAsync("/api/alerts")).EnumerateArray().Single(a => a.GetProperty("alert").GetString() == AlertNames.DatabaseConnectionFailure);
        Assert.Equal("application", alert.GetProperty("signal").GetString());
        Assert.StartsWith("the services' checkouts: ", alert.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.InRange(alert.GetProperty("value").GetDouble(), 0.15, 0.25);

        // The service itself saw one request in five refused; the monitor's probe never failed meanwhile.
        var (ok, refused) = service.Load.Answers;
        Assert.InRange((double)refused / (ok + refused), 0.15, 0.25);
        var rates = (await monitor.GetJsonAsync("/api/targets/main")).GetProperty("failureRates");
        Assert.Equal(0, rates.GetProperty("probe").GetProperty("failures").GetInt32());
        Assert.True(rates.GetProperty("probe").GetProperty("attempts").GetInt32() > 10);
        Assert.InRange(rates.GetProperty("application").GetProperty("ratio").GetDouble(), 0.15, 0.25);
        using (var health = await monitor.Http.GetAsync(new Uri("/health", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        var metrics = await monitor.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var process = $"{Environment.ProcessId}@{Environment.MachineName}";
        Assert.Matches($"pgmedic_connection_failure_ratio\\{{[^}}]*signal=\"application\"[^}}]*\\}} 0\\.[12]", metrics);
        Assert.Matches($"pgmedic_connection_failure_ratio\\{{[^}}]*signal=\"probe\"[^}}]*\\}} 0", metrics);
        Assert.Matches($"pgmedic_app_checkout_failures_total\\{{[^}}]*process=\"{process}\"[^}}]*\\}} [1-9]", metrics);
        Assert.Contains("pgmedic_app_checkouts_total{", metrics, StringComparison.Ordinal);

        await service.RunHealthyLoadAsync();
        await monitor.WaitForAlertsAsync(a => !a.Any(x => x.GetProperty("alert").GetString() == AlertNames.DatabaseConnectionFailure), "database-connection-failure resolved", TimeSpan.FromSeconds(40));
        await service.Load.StopAsync();
        Assert.True(failing.Elapsed < TimeSpan.FromSeconds(50), $"took {failing.Elapsed}");

        var events = (await monitor.GetJsonAsync("/api/alerts/events")).EnumerateArray()
            .Where(e => e.GetProperty("alert").GetString() == AlertNames.DatabaseConnectionFailure && e.GetProperty("state").GetString() != "pending")
            .Select(e => $"{e.GetProperty("state").GetString()} {e.GetProperty("signal").GetString()}")
            .Order()
            .ToList();
        Assert.Equal(["firing application", "resolved application"], events);

        // What the on-call engineer receives says the same.
        var deliveries = await DeliveriesAsync(receiver, 2);
        Assert.Equal(["firing application", "resolved application"], deliveries.Select(d => $"{d.GetProperty("state").GetString()} {d.GetProperty("signal").GetString()}").Order().ToList());
    }

    [Fact]
    public async Task DatabaseConnectionFailure_SqlAlchemyServiceTimingOutOneCheckoutInFive_FiresWithSignalApplicationAndResolves()
    {
        var sandbox = fixture.Sandbox;
        var window = TimeSpan.FromSeconds(4);
        var role = await sandbox.CreateRoleAsync($"py_{Guid.NewGuid():N}"[..12], "py-shop-pw");
        await using var service = await SqlAlchemyShopService.StartAsync(role.ToUrl());
        await using var monitor = await StartAsync(sandbox.SuperuserTarget, o => WithService(o, service.PoolEndpoint, window));
        await monitor.WaitForFirstPollAsync();

        await service.RunFailingLoadAsync();
        var firedAfter = await monitor.WaitForAlertsAsync(a => Firing(a, AlertNames.DatabaseConnectionFailure, "critical"), "database-connection-failure firing", TimeSpan.FromSeconds(30));
        Assert.True(firedAfter >= window, $"fired {firedAfter} after the timeouts began, before its {window} window");
        var alert = (await monitor.GetJsonAsync("/api/alerts")).EnumerateArray().Single(a => a.GetProperty("alert").GetString() == AlertNames.DatabaseConnectionFailure);
        Assert.Equal("application", alert.GetProperty("signal").GetString());
        Assert.InRange(alert.GetProperty("value").GetDouble(), 0.15, 0.25);
        var rates = (await monitor.GetJsonAsync("/api/targets/main")).GetProperty("failureRates");
        Assert.Equal(0, rates.GetProperty("probe").GetProperty("failures").GetInt32());
        var application = rates.GetProperty("application");
        Assert.Equal((1, 0L), (application.GetProperty("processes").GetInt32(), application.GetProperty("connectFailures").GetInt64()));
        Assert.True(application.GetProperty("timeouts").GetInt64() > 0);
        Assert.Matches($"pgmedic_app_checkout_failures_total\\{{[^}}]*process=\"{service.Pid}@[^}}]*\\}} [1-9]", await monitor.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative)));

        await service.RunHealthyLoadAsync();
        await monitor.WaitForAlertsAsync(a => !a.Any(x => x.GetProperty("alert").GetString() == AlertNames.DatabaseConnectionFailure), "database-connection-failure resolved", TimeSpan.FromSeconds(30));
        await service.Load.StopAsync();
        var resolved = (await monitor.GetJsonAsync("/api/alerts/events")).EnumerateArray()
            .First(e => e.GetProperty("alert").GetString() == AlertNames.DatabaseConnectionFailure && e.GetProperty("state").GetString() == "resolved");
        Assert.Equal("application", resolved.GetProperty("signal").GetString());
    }

    [Fact]
    public async Task DatabaseConnectionFailure_ServiceStopsAnsweringItsPoolEndpoint_FiresNamingTheEndpointInsteadOfStayingSilent()
    {
        var sandbox = fixture.Sandbox;
        var window = TimeSpan.FromSeconds(2);
        await using var service = await GuardedShopService.StartAsync(sandbox.SuperuserTarget);
        var endpoint = service.PoolEndpoint;
        await using var monitor = await StartAsync(sandbox.SuperuserTarget, o => WithService(o, service.PoolEndpoint, window));
        await monitor.WaitForFirstPollAsync();
        Assert.Matches(EndpointUp(endpoint, 1), await monitor.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative)));

        await service.DisposeAsync();
        await monitor.WaitForAlertsAsync(a => Firing(a, AlertNames.DatabaseConnectionFailure, "critical"), "database-connection-failure firing", TimeSpan.FromSeconds(20));

        var alert = (await monitor.GetJsonAsync("/api/alerts")).EnumerateArray().Single(a => a.GetProperty("alert").GetString() == AlertNames.DatabaseConnectionFailure);
        Assert.Equal("application", alert.GetProperty("signal").GetString());
        Assert.StartsWith($"pool endpoint {endpoint} answered no poll in the last 2s: ", alert.GetProperty("summary").GetString(), StringComparison.Ordinal);
        var silent = (await monitor.GetJsonAsync("/api/targets/main")).GetProperty("failureRates").GetProperty("application").GetProperty("silent");
        Assert.Equal(endpoint.ToString(), Assert.Single(silent.EnumerateArray()).GetProperty("endpoint").GetString());
        Assert.Matches(EndpointUp(endpoint, 0), await monitor.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative)));
    }

    private static string EndpointUp(Uri endpoint, int up) =>
        $"pgmedic_app_pool_endpoint_up\\{{[^}}]*endpoint=\"{System.Text.RegularExpressions.Regex.Escape(endpoint.ToString())}\"[^}}]*\\}} {up}";

    private static MonitorOptions WithService(MonitorOptions options, Uri poolEndpoint, TimeSpan window)
    {
        var failure = new FailureRuleOptions { Window = window, For = window };
        var target = options.Targets[0];
        return options with
        {
            Targets = [target with { PoolEndpoints = [poolEndpoint], Alerts = target.Alerts with { DatabaseConnectionFailure = failure } }],
        };
    }

    private static async Task<List<JsonElement>> DeliveriesAsync(WebhookReceiver receiver, int count)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var deliveries = receiver.Deliveries.Where(d => d.GetProperty("alert").GetString() == AlertNames.DatabaseConnectionFailure).ToList();
            if (deliveries.Count >= count || stopwatch.Elapsed > TimeSpan.FromSeconds(10))
            {
                return deliveries;
            }

            await Task.Delay(100);
        }
    }
}
