using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using PgMedic.Testing;

namespace PgMedic.Monitor.Tests.Polling;

/// <summary>
/// A monitor whose role cannot see other roles' session types (no <c>pg_monitor</c>) shows the count as
/// the range it is — in the API, the metrics and the findings — never the low end as if it were exact.
/// </summary>
[Collection(MonitorCollection.Name)]
public sealed class HiddenSessionsMonitorTests(MonitorSandbox fixture)
{
    [Fact]
    public async Task Usage_MonitorAsAnOrdinaryRoleWithOtherRolesSessions_ARangeInApiMetricsAndFindings()
    {
        var sandbox = fixture.Sandbox;
        await Stragglers.ClearAsync(sandbox, nameof(Usage_MonitorAsAnOrdinaryRoleWithOtherRolesSessions_ARangeInApiMetricsAndFindings));
        var seer = await sandbox.CreateRoleAsync($"seer_{Guid.NewGuid():N}"[..16], "seer-pw");
        await using var monitor = await RunningMonitor.StartAsync(seer);
        await monitor.WaitForFirstPollAsync();
        var others = await HeldConnections.OpenAsync(sandbox.SuperuserTarget, 5, "other-team");
        try
        {
            // The lifeline is the one session the monitor's role sees; the other five could be workers or clients.
            var usage = await UsageWhenAsync(monitor, u => u.GetProperty("clientBackendsMax").GetInt32() == 6);
            var metrics = await monitor.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            var snapshot = await monitor.GetJsonAsync("/api/targets/main/snapshot");

            Assert.False(usage.GetProperty("exact").GetBoolean());
            Assert.Equal((1, 6, 5), (usage.GetProperty("clientBackendsMin").GetInt32(), usage.GetProperty("clientBackends").GetInt32(), usage.GetProperty("unclassifiedSessions").GetInt32()));
            Assert.Equal("1–6", usage.GetProperty("inUse").GetString());
            Assert.True(usage.GetProperty("percentOfUsableMin").GetDouble() < usage.GetProperty("percentOfUsable").GetDouble());
            Assert.Matches(Gauge("pgmedic_client_backends", "6"), metrics);
            Assert.Matches(Gauge("pgmedic_client_backends_min", "1"), metrics);
            var findings = snapshot.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("code").GetString()).ToList();
            Assert.Contains("limited-visibility", findings);
        }
        finally
        {
            var pids = others.Pids;
            await others.DisposeAsync();
            await ServerState.WaitUntilGoneAsync(sandbox, pids);
        }
    }

    private static async Task<JsonElement> UsageWhenAsync(RunningMonitor monitor, Func<JsonElement, bool> condition)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var target = await monitor.GetJsonAsync("/api/targets/main");
            if (target.GetProperty("usage") is { ValueKind: JsonValueKind.Object } usage && condition(usage))
            {
                return usage;
            }

            if (stopwatch.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new TimeoutException($"the monitor never showed the expected usage; last: {target}");
            }

            await Task.Delay(100);
        }
    }

    private static Regex Gauge(string name, string value) => new($@"(?m)^{name}\{{[^}}]*target=""main""[^}}]*\}} {value}( |$)");
}
