using System.Diagnostics;
using PgMedic.Monitor.Configuration;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Monitor.Tests.Probe;

/// <summary>
/// A real Prometheus scraping <c>/probe</c> through the relabelling docs/commands/serve.md shows, fed by the
/// same <c>file_sd</c> file as the monitor, with the rules <c>pgmedic export prometheus-rules</c> writes.
/// </summary>
public sealed class PrometheusProbeTests : IAsyncLifetime
{
    private const int Usable = 10;
    private readonly string _targets = Directory.CreateTempSubdirectory("pgmedic-probe-targets-").FullName;
    private PostgresSandbox[] _servers = [];

    public async Task InitializeAsync() =>
        _servers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => PostgresSandbox.StartAsync(new SandboxOptions { MaxConnections = Usable + 3, SuperuserReservedConnections = 3, CreatePgStatStatements = false })));

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        Directory.Delete(_targets, recursive: true);
    }

    [Fact]
    public async Task Prometheus_ScrapingProbeThroughRelabelling_SeriesCarryTheTargetLabelAndCriticalFiresForTheFullServerOnly()
    {
        // One file_sd file for both: PgMedic reads its targets from it, Prometheus its scrape targets.
        var passwords = _servers.Select((s, i) => ($"PGMEDIC_TEST_PASSWORD_{i}", s.SuperuserPassword)).ToDictionary(p => p.Item1, p => p.SuperuserPassword);
        var entries = _servers.Select((s, i) => $$"""{ "targets": ["127.0.0.1:{{s.Port}}"], "labels": { "database": "postgres", "user": "postgres", "password_env": "PGMEDIC_TEST_PASSWORD_{{i}}", "team": "payments" } }""");
        await File.WriteAllTextAsync(Path.Combine(_targets, "fleet.json"), "[\n" + string.Join(",\n", entries) + "\n]\n");
        var names = _servers.Select(s => $"127.0.0.1-{s.Port}-postgres").ToList();
        var full = names[1];

        await using var monitor = await RunningMonitor.StartAsync(_servers[0].SuperuserTarget, o => o with
        {
            Targets = [],
            TargetDirectory = _targets,
            Poll = PollMode.Scrape,
            PollInterval = TimeSpan.FromSeconds(1),
            TargetEnvironment = passwords.GetValueOrDefault,
        });
        await WaitAsync(async () => (await monitor.GetJsonAsync("/api/targets")).GetArrayLength() == 3, "the monitor to read the three targets from the file");

        using var export = PgMedicProcess.Start("export", "prometheus-rules", "--scrape-interval", "1s");
        Assert.Equal(0, await export.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var configuration = $$"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files: [rules.yml]
            scrape_configs:
              - job_name: pgmedic
                metrics_path: /probe
                file_sd_configs:
                  - files: ['{{_targets}}/*.json']
                relabel_configs:
                  - source_labels: [__address__, database]
                    regex: '(.+):(\d+);(.+)'
                    replacement: '${1}-${2}-${3}'
                    target_label: __param_target
                  - source_labels: [name]
                    regex: '(.+)'
                    target_label: __param_target
                  - source_labels: [__param_target]
                    target_label: instance
                  - target_label: __address__
                    replacement: '{{monitor.Address.Authority}}'
                  - regex: 'name|options|poll|password_file|password_env'
                    action: labeldrop
            """;
        await using var prometheus = await PrometheusServer.StartAsync(configuration, new Dictionary<string, string> { ["rules.yml"] = export.Output });
        await using var held = await HeldConnections.OpenAsync(_servers[1].SuperuserTarget, Usable - 1, "filler");

        await WaitAsync(async () => (await prometheus.AlertsAsync()).Any(a => a.Labels["alertname"] == "PgMedicConnectionSaturationCritical" && a.State == "firing"),
            "PgMedicConnectionSaturationCritical to fire in Prometheus", prometheus);
        await Task.Delay(TimeSpan.FromSeconds(2));

        // Over the last 15 s, not at one instant: with 1 s scrapes (and so a 1 s scrape timeout) a scrape that a loaded
        // machine answered late is stale at that instant, and its target's series missing from the query (ci31).
        var series = await prometheus.QueryAsync("last_over_time(pgmedic_usable_slots[15s])");
        Assert.Equal(names.Order(), series.Select(s => s.Labels["target"]).Order());
        Assert.All(series, s =>
        {
            Assert.Equal(s.Labels["target"], s.Labels["instance"]);
            Assert.Equal("payments", s.Labels["team"]);
            Assert.Equal(Usable, s.Value);
            Assert.False(s.Labels.ContainsKey("password_env"));
        });
        var percent = await prometheus.QueryAsync("last_over_time(pgmedic_connections_used_percent[15s])");
        Assert.Equal(100, percent.Single(p => p.Labels["target"] == full).Value);
        var saturation = (await prometheus.AlertsAsync()).Where(a => a.Labels.GetValueOrDefault("pgmedic_alert") == "connection-saturation").ToList();
        var critical = Assert.Single(saturation, a => a.Labels["severity"] == "critical");
        Assert.Equal("firing", critical.State);
        Assert.Equal(full, critical.Labels["target"]);
        Assert.All(saturation, a => Assert.Equal(full, a.Labels["target"]));
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string what, PrometheusServer? prometheus = null)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (stopwatch.Elapsed > TimeSpan.FromSeconds(40))
            {
                var targets = prometheus is null ? string.Empty : "\n--- Prometheus targets ---\n" + await prometheus.TargetsAsync() + "\n--- log ---\n" + prometheus.Log;
                throw new TimeoutException($"waited 40 s for {what}{targets}");
            }

            await Task.Delay(250);
        }
    }
}
