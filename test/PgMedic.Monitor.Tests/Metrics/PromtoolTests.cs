using System.Text.RegularExpressions;
using PgMedic.Core.Alerts;
using PgMedic.Monitor.Export;
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
        await using var monitor = await RunningMonitor.StartAsync(sandbox.SuperuserTarget, name: "metrics-db");
        await using var held = await HeldConnections.OpenAsync(sandbox.SuperuserTarget, 21, "metrics-app");
        await monitor.WaitForAlertsAsync(a => RunningMonitor.Firing(a, "connection-saturation", "warning"), "an alert to export");
        var text = await monitor.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Contains("pgmedic_connections{", text, StringComparison.Ordinal);
        Assert.Contains("application=\"metrics-app\"", text, StringComparison.Ordinal);
        Assert.Contains("pgmedic_usable_slots{", text, StringComparison.Ordinal);
        Assert.Contains("pgmedic_connections_used_percent{", text, StringComparison.Ordinal);
        Assert.Contains("pgmedic_probe_success{", text, StringComparison.Ordinal);
        Assert.Contains("pgmedic_probe_latency_seconds{", text, StringComparison.Ordinal);
        Assert.Contains("pgmedic_alerts_firing{", text, StringComparison.Ordinal);
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
