using System.Diagnostics;
using System.Text.Json;
using Npgsql;
using PgMedic.Core.Alerts;
using PgMedic.Core.Diagnosis;
using PgMedic.Monitor.Configuration;
using PgMedic.Monitor.Tests.Notifications;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Monitor.Tests.Reliability;

/// <summary>
/// The monitor polling through real faults: its lifeline cut mid-query by a TCP proxy while an alert
/// fires, the postmaster frozen (SIGSTOP) between polls, the lifeline's own backend frozen, and a frozen
/// session holding a lock. Each poll ends within its timeout with one outcome and a true status; whatever
/// was stopped is continued in <c>finally</c>.
/// </summary>
[Collection(MonitorCollection.Name)]
public sealed class ServeFaultTests(MonitorSandbox fixture)
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task LifelineCutMidQueryByAProxy_ReconnectsHoldsTheFiringAlertAndHealthSaysStaleMeanwhile()
    {
        var clock = Stopwatch.StartNew();
        var sandbox = fixture.Sandbox;
        await using var receiver = new WebhookReceiver();
        await receiver.StartAsync();
        await using var proxy = TcpFaultProxy.Start(sandbox.Port);
        var alerts = new AlertRuleOptions
        {
            ConnectionSaturation = new SaturationRuleOptions { For = TimeSpan.Zero },
            DatabaseConnectionFailure = new FailureRuleOptions { Enabled = false },
            LeakGrowth = new LeakGrowthRuleOptions { Enabled = false },
            ExhaustionForecast = new ForecastRuleOptions { Enabled = false },
        };
        await using var monitor = await RunningMonitor.StartAsync(sandbox.SuperuserTarget with { Port = proxy.Port }, o => o with
        {
            Targets = [o.Targets[0] with { Alerts = alerts }],
            Webhooks = [new WebhookOptions("ops", receiver.Url, WebhookFormat.Generic, new Dictionary<string, string>())],
            Delivery = new DeliveryOptions { InitialBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromMilliseconds(500) },
        });

        // 20 held (straight to the server) and the lifeline on 25 usable slots: 84 %, the warning alone.
        await using var held = await HeldConnections.OpenAsync(sandbox.SuperuserTarget, 20, "proxy-cut-app");
        await monitor.WaitForAlertsAsync(a => RunningMonitor.Firing(a, AlertNames.ConnectionSaturation, "warning"), "the warning firing");
        await WaitForAsync(() => !receiver.Deliveries.IsEmpty, "the firing webhook");

        // Every snapshot the lifeline asks for is cut once sent, for 3 s: each poll loses it mid-query and reconnects.
        var accepted = proxy.Accepted;
        proxy.DropWhenClientSends("pg_stat_get_activity");
        var statuses = await SampleHealthAsync(monitor, TimeSpan.FromSeconds(3));
        proxy.Disarm();
        var cuts = proxy.Dropped;
        var back = Stopwatch.StartNew();
        await WaitForAsync(async () => (await monitor.GetJsonAsync("/api/targets/main")) is var t && t.GetProperty("lifeline").GetBoolean() && !t.GetProperty("stale").GetBoolean(), "a fresh snapshot after the cuts");
        var recovered = back.Elapsed;
        await monitor.WaitForAlertsAsync(a => RunningMonitor.Firing(a, AlertNames.ConnectionSaturation, "warning"), "the warning still firing");
        await Task.Delay(1000);
        var deliveries = receiver.Deliveries.Select(d => $"{d.GetProperty("alert").GetString()} {d.GetProperty("severity").GetString()} {d.GetProperty("state").GetString()}").ToList();
        ReliabilityRecord.Fault(
            "`serve`'s lifeline cut mid-query by a TCP proxy for 3 s (every snapshot query reset once sent) while the saturation warning fires",
            $"{cuts} cuts, {proxy.Accepted - accepted} connections through the proxy; /health said {string.Join(" → ", Runs(statuses))}; fresh snapshot {recovered.TotalSeconds:0.0} s after the cuts stopped; webhooks: {string.Join(", ", deliveries)} (no resolve/fire flap)",
            "ServeFaultTests.LifelineCutMidQueryByAProxy_ReconnectsHoldsTheFiringAlertAndHealthSaysStaleMeanwhile",
            clock.Elapsed);

        Assert.True(cuts >= 2, $"{cuts} cuts");
        Assert.Contains("stale", statuses);
        Assert.DoesNotContain("unhealthy", statuses);
        Assert.Equal(["connection-saturation warning firing"], deliveries);
    }

    [Fact]
    public async Task PostmasterStoppedBetweenPolls_EveryPollEndsWithinItsTimeoutProbeSaysTimeoutThenRecovers()
    {
        var clock = Stopwatch.StartNew();
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        await using var monitor = await RunningMonitor.StartAsync(sandbox.SuperuserTarget, o => o with { Timeout = PollTimeout });
        await monitor.WaitForFirstPollAsync();
        var postmaster = sandbox.PostmasterPid!.Value;
        var polls = new List<(DateTimeOffset PolledAt, string? Reason, bool Lifeline, string Health)>();
        Signal("STOP", postmaster);
        try
        {
            var stopped = Stopwatch.StartNew();
            while (stopped.Elapsed < TimeSpan.FromSeconds(4))
            {
                var target = await monitor.GetJsonAsync("/api/targets/main");
                using var health = await monitor.Http.GetAsync(new Uri("/health", UriKind.Relative));
                var body = JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement;
                polls.Add((target.GetProperty("polledAt").GetDateTimeOffset(), target.GetProperty("probe").GetProperty("reason").GetString(), target.GetProperty("lifeline").GetBoolean(), body.GetProperty("status").GetString()!));
                await Task.Delay(100);
            }
        }
        finally
        {
            Signal("CONT", postmaster);
        }

        var back = Stopwatch.StartNew();
        await WaitForAsync(async () => (await monitor.GetJsonAsync("/api/targets/main")).GetProperty("probe").GetProperty("outcome").GetString() == "accepting", "the probe accepting again");
        var distinct = polls.Select(p => p.PolledAt).Distinct().Order().ToList();
        var gaps = distinct.Zip(distinct.Skip(1), (a, b) => b - a).ToList();
        var late = polls.Where(p => p.PolledAt > polls[0].PolledAt + PollTimeout + TimeSpan.FromSeconds(0.5)).ToList();
        ReliabilityRecord.Fault(
            "SIGSTOP of the postmaster for 4 s while `serve` polls (timeout 1 s, every 250 ms)",
            $"{distinct.Count} polls, the longest gap between them {gaps.DefaultIfEmpty().Max().TotalSeconds:0.0} s; the fresh probe said {string.Join("/", late.Select(p => p.Reason).Distinct())}, the lifeline stayed {(late.All(p => p.Lifeline) ? "up" : "DOWN")}, /health {string.Join("/", late.Select(p => p.Health).Distinct())}; accepting {back.Elapsed.TotalSeconds:0.0} s after SIGCONT",
            "ServeFaultTests.PostmasterStoppedBetweenPolls_EveryPollEndsWithinItsTimeoutProbeSaysTimeoutThenRecovers",
            clock.Elapsed);

        Assert.True(distinct.Count >= 3, $"{distinct.Count} polls in 4 s");
        Assert.All(gaps, g => Assert.True(g < PollTimeout + TimeSpan.FromSeconds(0.75), $"a poll took {g.TotalSeconds:0.00} s"));
        Assert.NotEmpty(late);
        Assert.All(late, p => Assert.Equal(("timeout", true, "unhealthy"), (p.Reason, p.Lifeline, p.Health)));
    }

    [Fact]
    public async Task LifelineBackendStopped_ThePollGivesItUpWithinTheTimeoutSaysStaleAndReconnects()
    {
        var clock = Stopwatch.StartNew();
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });

        // Polled every 3 s: the given-up poll ends 1.5 s into its interval (timeout and grace), so "stale" stands
        // for the rest of it. At a short interval it would last only until the next poll, due at once, reconnects.
        var interval = TimeSpan.FromSeconds(3);
        await using var monitor = await RunningMonitor.StartAsync(sandbox.SuperuserTarget, o => o with { Timeout = PollTimeout, PollInterval = interval });
        await monitor.WaitForFirstPollAsync();
        var lifeline = await LifelinePidAsync(sandbox);
        var polls = new List<(DateTimeOffset SeenAt, DateTimeOffset PolledAt, bool Stale, string Health)>();
        Signal("STOP", lifeline);
        try
        {
            // Both doors are asked together and often until a fresh poll has followed a stale one.
            var stopped = Stopwatch.StartNew();
            while (stopped.Elapsed < TimeSpan.FromSeconds(12) && !polls.SkipWhile(p => !p.Stale).Any(p => !p.Stale && p.Health == "healthy"))
            {
                var asking = monitor.GetJsonAsync("/api/targets/main");
                using var health = await monitor.Http.GetAsync(new Uri("/health", UriKind.Relative));
                var target = await asking;
                polls.Add((DateTimeOffset.UtcNow, target.GetProperty("polledAt").GetDateTimeOffset(), target.GetProperty("stale").GetBoolean(), JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString()!));
                await Task.Delay(20);
            }
        }
        finally
        {
            Signal("CONT", lifeline);
        }

        // The frozen backend goes once it runs again and finds its connection closed; then the monitor's one lifeline is the new one.
        await ServerState.WaitUntilGoneAsync(sandbox, [lifeline]);
        var replaced = await LifelinePidAsync(sandbox);
        var distinct = polls.Select(p => p.PolledAt).Distinct().Order().ToList();
        var gaps = distinct.Zip(distinct.Skip(1), (a, b) => b - a).ToList();
        var stale = polls.FirstOrDefault(p => p.Stale);
        var givenUp = stale.Stale ? stale.SeenAt - stale.PolledAt : (TimeSpan?)null;
        ReliabilityRecord.Fault(
            "SIGSTOP of `serve`'s own lifeline backend (timeout 1 s, every 3 s)",
            $"the poll that met it was stale {(givenUp is { } g ? $"{g.TotalSeconds:0.0} s after it started" : "NEVER")}; {distinct.Count} polls, the longest gap {gaps.DefaultIfEmpty().Max().TotalSeconds:0.0} s; /health said {string.Join(" → ", Runs(polls.Select(p => p.Health).ToList()))}; a new lifeline (PID {(replaced != lifeline ? "changed" : "UNCHANGED")}) read the server",
            "ServeFaultTests.LifelineBackendStopped_ThePollGivesItUpWithinTheTimeoutSaysStaleAndReconnects",
            clock.Elapsed);

        // The target's answer and /health are two requests that can straddle the window's edge: each is looked for on its own.
        Assert.Contains(polls, p => p.Stale);
        Assert.Contains(polls, p => p.Health == "stale");
        Assert.DoesNotContain(polls, p => p.Health == "unhealthy");
        Assert.True(givenUp < PollTimeout + TimeSpan.FromSeconds(1.25), $"the stopped poll was given up {givenUp?.TotalSeconds:0.00} s after it started");

        // The given-up poll kept the schedule: no interval was skipped or stretched.
        Assert.All(gaps, g => Assert.True(g < interval + TimeSpan.FromSeconds(0.5), $"{g.TotalSeconds:0.00} s between two polls"));
        Assert.Contains(polls.SkipWhile(p => !p.Stale), p => !p.Stale && p.Health == "healthy");
        Assert.NotEqual(lifeline, replaced);
    }

    [Fact]
    public async Task OneSessionStoppedHoldingALock_PollsGoOnAndTheSnapshotNamesItTheHeadBlocker()
    {
        var clock = Stopwatch.StartNew();
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        await sandbox.ExecuteAsync("CREATE TABLE frozen_lock (id int)");
        await using var monitor = await RunningMonitor.StartAsync(sandbox.SuperuserTarget, o => o with
        {
            Timeout = PollTimeout,
            Targets = [o.Targets[0] with { Thresholds = new DiagnosisOptions { BlockingWarning = TimeSpan.FromMilliseconds(100) } }],
        });
        await monitor.WaitForFirstPollAsync();
        await using var holder = await PostgresSandbox.OpenAsync(sandbox.SuperuserTarget, applicationName: "frozen-holder");
        await new NpgsqlCommand("BEGIN; LOCK TABLE frozen_lock IN ACCESS EXCLUSIVE MODE", holder).ExecuteNonQueryAsync();
        await using var waiter = await PostgresSandbox.OpenAsync(sandbox.SuperuserTarget, applicationName: "frozen-waiter");
        var waiting = new NpgsqlCommand("SELECT count(*) FROM frozen_lock", waiter).ExecuteScalarAsync();
        await ServerState.WaitUntilAsync(sandbox, "EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'frozen-waiter' AND wait_event_type = 'Lock')");
        var frozen = holder.ProcessID;
        JsonElement chain;
        TimeSpan named;
        string health;
        Signal("STOP", frozen);
        try
        {
            var stopped = Stopwatch.StartNew();
            chain = await WaitForFindingAsync(monitor, "blocking-chain");
            named = stopped.Elapsed;
            using var answer = await monitor.Http.GetAsync(new Uri("/health", UriKind.Relative));
            health = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString()!;
        }
        finally
        {
            Signal("CONT", frozen);
        }

        await new NpgsqlCommand("ROLLBACK", holder).ExecuteNonQueryAsync();
        await waiting;
        ReliabilityRecord.Fault(
            "SIGSTOP of one session holding an ACCESS EXCLUSIVE lock (one waiter) while `serve` polls",
            $"blocking-chain {chain.GetProperty("severity").GetString()} naming the frozen PID as the head {named.TotalSeconds:0.0} s after the stop; /health {health}",
            "ServeFaultTests.OneSessionStoppedHoldingALock_PollsGoOnAndTheSnapshotNamesItTheHeadBlocker",
            clock.Elapsed);

        Assert.Contains(frozen, chain.GetProperty("pids").EnumerateArray().Select(p => p.GetInt32()));
        Assert.True(named < TimeSpan.FromSeconds(3), $"named after {named.TotalSeconds:0.0} s");
        Assert.Equal("healthy", health);
    }

    internal static void Signal(string signal, int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>"healthy → stale → healthy": a list of samples with repeats collapsed.</summary>
    internal static IEnumerable<string> Runs(IReadOnlyList<string> samples) =>
        samples.Where((s, i) => i == 0 || s != samples[i - 1]);

    private static async Task<List<string>> SampleHealthAsync(RunningMonitor monitor, TimeSpan duration)
    {
        var statuses = new List<string>();
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < duration)
        {
            using var health = await monitor.Http.GetAsync(new Uri("/health", UriKind.Relative));
            statuses.Add(JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString()!);
            await Task.Delay(40);
        }

        return statuses;
    }

    /// <summary>The monitor's lifeline: its oldest pgmedic session (each poll's fresh probe comes and goes).</summary>
    private static async Task<int> LifelinePidAsync(PostgresSandbox sandbox)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            await using var connection = await PostgresSandbox.OpenAsync(sandbox.SuperuserTarget, applicationName: "test-observer");
            var pid = await new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE application_name = 'pgmedic' AND backend_start < now() - interval '300 milliseconds' ORDER BY backend_start LIMIT 1", connection).ExecuteScalarAsync();
            if (pid is int found)
            {
                return found;
            }

            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(15), "no lifeline session");
            await Task.Delay(100);
        }
    }

    private static async Task<JsonElement> WaitForFindingAsync(RunningMonitor monitor, string code)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var snapshot = await monitor.GetJsonAsync("/api/targets/main/snapshot");
            if (snapshot.GetProperty("findings").EnumerateArray().FirstOrDefault(f => f.GetProperty("code").GetString() == code) is { ValueKind: JsonValueKind.Object } finding)
            {
                return finding;
            }

            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(15), $"no {code} finding: {snapshot}");
            await Task.Delay(100);
        }
    }

    private static Task WaitForAsync(Func<bool> condition, string what) => WaitForAsync(() => Task.FromResult(condition()), what);

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"never saw {what}");
            await Task.Delay(50);
        }
    }
}
