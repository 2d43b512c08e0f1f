using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using PgMedic.Core.Probing;
using PgMedic.Postgres.Probing;
using PgMedic.Testing;

namespace PgMedic.Monitor.Tests.Polling;

/// <summary>The monitor's lifeline holds a slot like any session, so the monitor counts it: a full server reads 100 %.</summary>
[Collection(MonitorCollection.Name)]
public sealed class LifelineTests(MonitorSandbox fixture)
{
    [Fact]
    public async Task Lifeline_ServerFilledPastUsableThenPastReserved_Reads100PercentThenStillSeesWhenEvenSuperusersAreRefused()
    {
        var sandbox = fixture.Sandbox;
        await Stragglers.ClearAsync(sandbox, nameof(Lifeline_ServerFilledPastUsableThenPastReserved_Reads100PercentThenStillSeesWhenEvenSuperusersAreRefused));
        var ordinary = await sandbox.CreateRoleAsync($"plain_{Guid.NewGuid():N}"[..20], "plain-pw");
        await using var monitor = await RunningMonitor.StartAsync(sandbox.SuperuserTarget);
        await monitor.WaitForFirstPollAsync();

        // 24 held and the lifeline: all 25 usable slots. Before the lifeline was counted this read 96 %, 1 left.
        var held = await HeldConnections.OpenAsync(sandbox.SuperuserTarget, MonitorSandbox.UsableSlots - 1, "filler");
        try
        {
            await FillAndReadAsync(monitor, held, ordinary, sandbox.SuperuserTarget);
        }
        finally
        {
            // The next test's monitor must find free slots, not backends still exiting.
            var pids = held.Pids;
            await held.DisposeAsync();
            await ServerState.WaitUntilGoneAsync(sandbox, pids);
        }
    }

    /// <summary>
    /// The issue's case: the application's own (ordinary) role takes every slot it may while the monitor watches
    /// as a superuser. Ordinary logins stop at the reserved slots, so the lifeline — already in — is the 25th of
    /// 25 usable slots: it keeps reading, counts itself (100 %, not 96 %), and the saturation alerts fire.
    /// </summary>
    [Fact]
    public async Task Lifeline_OrdinaryRoleFillsEveryUsableSlot_KeepsReportingCountsItself100PercentAndAlertsFire()
    {
        var clock = Stopwatch.StartNew();
        var sandbox = fixture.Sandbox;
        await Stragglers.ClearAsync(sandbox, nameof(Lifeline_OrdinaryRoleFillsEveryUsableSlot_KeepsReportingCountsItself100PercentAndAlertsFire));
        var ordinary = await sandbox.CreateRoleAsync($"app_{Guid.NewGuid():N}"[..20], "app-pw");
        await using var monitor = await RunningMonitor.StartAsync(sandbox.SuperuserTarget, o => o with
        {
            Targets = [o.Targets[0] with { Alerts = o.Targets[0].Alerts with { ConnectionSaturation = new Core.Alerts.SaturationRuleOptions { For = TimeSpan.Zero } } }],
        });
        await monitor.WaitForFirstPollAsync();
        var held = new HeldConnections();
        try
        {
            // The ordinary role opens until the server refuses it for the reserved slots (retrying past the monitor's
            // fresh probe, which holds a slot for a moment each poll): 24, the lifeline being the 25th.
            var refusal = await FillAsOrdinaryAsync(held, ordinary);
            var full = await UsageWhenAsync(monitor, u => u.GetProperty("clientBackends").GetInt32() == MonitorSandbox.UsableSlots);
            await monitor.WaitForAlertsAsync(a => RunningMonitor.Firing(a, Core.Alerts.AlertNames.ConnectionSaturation, "critical"), "the 90 % critical");
            var target = await monitor.GetJsonAsync("/api/targets/main");
            var snapshot = await monitor.GetJsonAsync("/api/targets/main/snapshot");
            var alerts = (await monitor.GetJsonAsync("/api/alerts")).EnumerateArray().ToList();
            var saturation = snapshot.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("code").GetString() == "connection-saturation");
            ReliabilityRecord.Fault(
                "`max_connections` filled by an ordinary role (24 sessions, refused after) while `serve` watches as a superuser",
                $"the lifeline kept reading: {full.GetProperty("clientBackends").GetInt32()}/{full.GetProperty("usableSlots").GetInt32()} = {full.GetProperty("percentOfUsable").GetDouble():0} % (itself counted), exact; saturation {string.Join(" and ", alerts.Where(a => a.GetProperty("state").GetString() == "firing").Select(a => a.GetProperty("severity").GetString()).Order())} firing; the 25th ordinary login was refused with {refusal}",
                "LifelineTests.Lifeline_OrdinaryRoleFillsEveryUsableSlot_KeepsReportingCountsItself100PercentAndAlertsFire",
                clock.Elapsed);

            Assert.Equal(MonitorSandbox.UsableSlots - 1, held.Connections.Count);
            Assert.Equal(PostgresErrorCodes.TooManyConnections, refusal);
            Assert.Equal(100, full.GetProperty("percentOfUsable").GetDouble());
            Assert.Equal(0, full.GetProperty("slotsLeft").GetInt32());
            Assert.True(full.GetProperty("exact").GetBoolean());
            Assert.True(target.GetProperty("lifeline").GetBoolean());
            Assert.False(target.GetProperty("stale").GetBoolean());
            Assert.Equal("accepting", target.GetProperty("probe").GetProperty("outcome").GetString());
            Assert.True(RunningMonitor.Firing(alerts, Core.Alerts.AlertNames.ConnectionSaturation, "critical"));
            Assert.StartsWith("100 % of usable connection slots in use (25/25); ordinary roles are refused", saturation.GetProperty("summary").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            var pids = held.Pids;
            await held.DisposeAsync();
            await ServerState.WaitUntilGoneAsync(sandbox, pids);
        }
    }

    /// <summary>Opens the ordinary role's sessions until the server refuses one for good; returns the refusal's SQLSTATE.</summary>
    private static async Task<string> FillAsOrdinaryAsync(HeldConnections held, Postgres.Targets.ConnectionTarget ordinary)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await held.AddAsync(ordinary, 1, "ordinary-filler");
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.TooManyConnections)
            {
                // A refusal while the monitor's probe holds a slot for a moment is not yet a full server.
                if (held.Connections.Count >= MonitorSandbox.UsableSlots - 1 || stopwatch.Elapsed > TimeSpan.FromSeconds(20))
                {
                    return ex.SqlState;
                }

                await Task.Delay(20);
            }
        }
    }

    private static async Task FillAndReadAsync(RunningMonitor monitor, HeldConnections held, Postgres.Targets.ConnectionTarget ordinary, Postgres.Targets.ConnectionTarget superuser)
    {
        var full = await UsageWhenAsync(monitor, u => u.GetProperty("clientBackends").GetInt32() == MonitorSandbox.UsableSlots);
        var ordinaryLogin = await Prober.ProbeAsync(ordinary, TimeSpan.FromSeconds(5), CancellationToken.None);
        var metrics = await monitor.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var snapshot = await monitor.GetJsonAsync("/api/targets/main/snapshot");

        Assert.Equal(100, full.GetProperty("percentOfUsable").GetDouble());
        Assert.Equal(0, full.GetProperty("slotsLeft").GetInt32());
        Assert.True(full.GetProperty("exact").GetBoolean());
        Assert.Equal(ProbeReason.ReservedSlotsOnly, ordinaryLogin.Reason);
        Assert.Matches(Gauge("pgmedic_connections_used_percent", "100"), metrics);
        Assert.Matches(Gauge("pgmedic_client_backends", "25"), metrics);
        Assert.Matches(Gauge("pgmedic_client_backends_min", "25"), metrics);
        var saturation = snapshot.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("code").GetString() == "connection-saturation");
        Assert.StartsWith("100 % of usable connection slots in use (25/25); ordinary roles are refused", saturation.GetProperty("summary").GetString(), StringComparison.Ordinal);

        // The reserved slots taken too: no new login gets in, but the lifeline still reads the server.
        await OpenDespiteTheProbeAsync(held, superuser, 3);
        var everyone = await UsageWhenAsync(monitor, u => u.GetProperty("clientBackends").GetInt32() == 28);
        var target = await monitor.GetJsonAsync("/api/targets/main");
        snapshot = await monitor.GetJsonAsync("/api/targets/main/snapshot");

        Assert.Equal(112, everyone.GetProperty("percentOfUsable").GetDouble());
        Assert.True(target.GetProperty("lifeline").GetBoolean());
        Assert.Equal(ProbeReason.TooManyClients, target.GetProperty("probe").GetProperty("reason").GetString());
        saturation = snapshot.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("code").GetString() == "connection-saturation");
        Assert.Contains("even superusers are refused: every slot is taken, the reserved ones too", saturation.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    /// <summary>The usage of the first poll that satisfies <paramref name="condition"/>.</summary>
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

    // The monitor's fresh probe takes a slot for a moment each poll; the last slots are taken between probes.
    private static async Task OpenDespiteTheProbeAsync(HeldConnections held, Postgres.Targets.ConnectionTarget target, int count)
    {
        var stopwatch = Stopwatch.StartNew();
        for (var opened = 0; opened < count;)
        {
            try
            {
                await held.AddAsync(target, 1, "filler");
                opened++;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.TooManyConnections && stopwatch.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(20);
            }
        }
    }

    private static Regex Gauge(string name, string value) => new($@"(?m)^{name}\{{[^}}]*target=""main""[^}}]*\}} {value}( |$)");
}
