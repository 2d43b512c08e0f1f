using System.Text.RegularExpressions;
using PgMedic.Core.Slo;
using PgMedic.Testing;

namespace PgMedic.Monitor.Tests.Metrics;

/// <summary>
/// Two monitors in one process, each with a target called "shop" (the test suite runs many monitors side by
/// side): each one's <c>/metrics</c> shows its own target's values, and stays whole after the other stops.
/// With OpenTelemetry's Prometheus exporter both answered with whichever monitor's instrument reported last,
/// and a stopped monitor silenced the other's series — the staged incident's scrape read another monitor's
/// counters.
/// </summary>
[Collection(MonitorCollection.Name)]
public sealed class MetricsEndpointTests(MonitorSandbox fixture)
{
    [Fact]
    public async Task TwoMonitorsInOneProcess_EachMetricsShowsItsOwnTargetAndOutlivesTheOther()
    {
        var strict = await StartAsync(99.95);
        var loose = await StartAsync(99.0);
        await using (strict)
        {
            await using (loose)
            {
                for (var i = 0; i < 5; i++)
                {
                    Assert.Equal("0.9995", Objective(await strict.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative))));
                    Assert.Equal("0.99", Objective(await loose.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative))));
                }
            }

            var after = await strict.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            Assert.Equal("0.9995", Objective(after));
            Assert.Matches(new Regex("^pgmedic_slo_attempts_total\\{[^}]*target=\"shop\"[^}]*\\} [1-9]", RegexOptions.Multiline), after);
            Assert.Matches(new Regex("^pgmedic_probe_attempts_total\\{[^}]*target=\"shop\"[^}]*\\} [1-9]", RegexOptions.Multiline), after);
        }
    }

    private static string Objective(string metrics)
    {
        var lines = Regex.Matches(metrics, "^pgmedic_slo_objective_ratio\\{[^}]*target=\"shop\"[^}]*\\} (\\S+)(?: [0-9]+)?$", RegexOptions.Multiline);
        Assert.True(lines.Count == 1, metrics);
        return lines[0].Groups[1].Value;
    }

    private async Task<RunningMonitor> StartAsync(double objective)
    {
        var monitor = await RunningMonitor.StartAsync(
            fixture.Sandbox.SuperuserTarget,
            o => o with { Targets = [o.Targets[0] with { Slo = new SloOptions { ObjectivePercent = objective } }] },
            name: "shop");
        await monitor.WaitForFirstPollAsync();
        return monitor;
    }
}
