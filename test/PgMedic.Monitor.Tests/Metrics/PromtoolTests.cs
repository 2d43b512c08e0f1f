using System.Diagnostics;
using PgMedic.Monitor.Tests.Polling;
using PgMedic.Testing;

namespace PgMedic.Monitor.Tests.Metrics;

/// <summary>/metrics and the exported rules checked by Prometheus's own parser, promtool (Debian's prometheus package).</summary>
[Collection(MonitorCollection.Name)]
public sealed class PromtoolTests(MonitorSandbox fixture)
{
    [Fact]
    public async Task Metrics_WithSessionsAndAFiringAlert_PassPromtoolCheckMetrics()
    {
        var promtool = ToolPaths.Require("/usr/bin/promtool", "prometheus");
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
        var (code, output) = await RunAsync(promtool, ["check", "metrics"], text);
        Assert.True(code == 0, $"promtool check metrics failed ({code}):\n{output}\n--- metrics ---\n{text}");
    }

    [Theory]
    [InlineData("pgmedic", 7)]
    [InlineData("postgres-exporter", 6)]
    public async Task ExportPrometheusRules_BothMetricSources_PassPromtoolCheckRules(string source, int rules)
    {
        var promtool = ToolPaths.Require("/usr/bin/promtool", "prometheus");
        var directory = Directory.CreateTempSubdirectory("pgmedic-rules-test-").FullName;
        try
        {
            using var export = PgMedicProcess.Start("export", "prometheus-rules", "--source", source);
            Assert.Equal(0, await export.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            var file = Path.Combine(directory, "pgmedic-rules.yml");
            await File.WriteAllTextAsync(file, export.Output);
            var (code, output) = await RunAsync(promtool, ["check", "rules", file], null);
            Assert.True(code == 0, $"promtool check rules failed:\n{output}\n--- rules ---\n{export.Output}");
            Assert.Contains($"SUCCESS: {rules} rules found", output, StringComparison.Ordinal);
            Assert.Contains("database-connection-failure", export.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, string[] args, string? input)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
