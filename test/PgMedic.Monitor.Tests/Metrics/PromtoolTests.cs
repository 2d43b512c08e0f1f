using System.Text.RegularExpressions;
using PgMedic.Core.Alerts;
using PgMedic.Monitor.Export;
using PgMedic.Monitor.Tests.Polling;
using PgMedic.Testing;

namespace PgMedic.Monitor.Tests.Metrics;

/// <summary>/metrics checked by Prometheus's own parser, promtool (Debian's prometheus package).</summary>
[Collection(MonitorCollection.Name)]
public sealed class PromtoolTests(MonitorSandbox fixture)
{
    [Fact]
    public async Task Metrics_WithSessionsAndAFiringAlert_PassPromtoolCheckMetrics()
    {
        var sandbox = fixture.Sandbox;
        await using var service = await GuardedShopService.StartAsync(sandbox.SuperuserTarget);
        await using var monitor = await RunningMonitor.StartAsync(sandbox.SuperuserTarget, o => o with { Targets = [o.Targets[0] with { PoolEndpoints = [service.PoolEndpoint] }] }, name: "metrics-db");
        await service.RunHealthyLoadAsync();
        await using var held = await HeldConnections.OpenAsync(sandbox.SuperuserTarget, 21, "metrics-app");
        await monitor.WaitForAlertsAsync(a => RunningMonitor.Firing(a, "connection-saturation", "warning"), "an alert to export");
        var text = await monitor.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        await service.Load.StopAsync();

        Assert.Contains("pgmedic_connections{", text, StringComparison.Ordinal);
        Assert.Contains("application=\"metrics-app\"", text, StringComparison.Ordinal);
        Assert.Contains("pgmedic_usable_slots{", text, StringComparison.Ordinal);
        Assert.Contains("pgmedic_connections_used_percent{", text, StringComparison.Ordinal);
        Assert.Contains("pgmedic_probe_success{", text, StringComparison.Ordinal);
        Assert.Contains("pgmedic_probe_latency_seconds{", text, StringComparison.Ordinal);
        Assert.Contains("pgmedic_alerts_firing{", text, StringComparison.Ordinal);
        Assert.Contains("pgmedic_app_checkouts_total{", text, StringComparison.Ordinal);
        Assert.Contains("pgmedic_app_checkout_failures_total{", text, StringComparison.Ordinal);
        Assert.Contains("pgmedic_app_pool_endpoint_up{", text, StringComparison.Ordinal);
        Assert.Contains("signal=\"application\"", text, StringComparison.Ordinal);
        Assert.Contains("signal=\"probe\"", text, StringComparison.Ordinal);
        Assert.Contains("pgmedic_idle_connections_by_application{", text, StringComparison.Ordinal);
        // Every metric the exported rules are written over is one that /metrics serves.
        var rules = PrometheusRules.Generate(new AlertRuleOptions(), TimeSpan.FromSeconds(5), new PrometheusRulesOptions());
        var used = Regex.Matches(rules, "pgmedic_[a-z_]+").Select(m => m.Value).Where(n => n != "pgmedic_alert").Distinct().ToList();
        Assert.NotEmpty(used);
        Assert.All(used, name => Assert.Contains(name + "{", text, StringComparison.Ordinal));
        var (code, output) = await Promtool.RunAsync(["check", "metrics"], text);
        Assert.True(code == 0, $"promtool check metrics failed ({code}):\n{output}\n--- metrics ---\n{text}");
    }
}
