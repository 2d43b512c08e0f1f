using System.Text.Json;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Reliability;

/// <summary>
/// The real binary through a TCP fault proxy in front of a real server: added latency (under the timeout:
/// the command finishes with its outcome; past it: it gives up on time), a connection cut mid-query (one
/// clean line or report, the right exit code, no trace; terminate acts once and never reconnects to act
/// again), and a slow connect followed by a slow read, which one deadline bounds together.
/// </summary>
[Collection(FaultTests.Name)]
public sealed class ProxyFaultTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>, IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly string _audit = Path.Combine(Path.GetTempPath(), $"pgmedic-proxy-audit-{Guid.NewGuid():N}.jsonl");

    public void Dispose() => File.Delete(_audit);

    [Fact]
    public async Task AddedLatency_ProbeDiagnoseTerminate_FinishWithinTheTimeoutWithTheirOutcome()
    {
        const string test = "ProxyFaultTests.AddedLatency_ProbeDiagnoseTerminate_FinishWithinTheTimeoutWithTheirOutcome";
        await using var proxy = TcpFaultProxy.Start(fixture.Sandbox.Port);
        proxy.Latency = TimeSpan.FromMilliseconds(50);
        var url = Through(proxy);
        await using var held = await HeldConnections.OpenAsync(fixture.Sandbox.SuperuserTarget, 2, "proxy-latency");

        var probe = await PgMedicProcess.RunAsync(null, Limit, "probe", url, "--timeout", "4s", "--format", "json");
        var diagnose = await PgMedicProcess.RunAsync(null, Limit, "diagnose", url, "--timeout", "4s", "--format", "json");
        var terminate = await PgMedicProcess.RunAsync(null, Limit, "terminate", url, "--application", "proxy-latency", "--state", "idle", "--idle-for", "1ms", "--include-superusers", "--yes", "--timeout", "4s", "--audit-log", _audit, "--format", "json");
        await ServerState.WaitUntilGoneAsync(fixture.Sandbox, held.Pids);
        var connectMs = Json(probe).GetProperty("connectMilliseconds").GetDouble();
        Record("100 ms round trips (50 ms each way) on every packet: `probe`, `diagnose`, `terminate --timeout 4s`", $"probe {probe.Summary} (connect {connectMs:0} ms), diagnose {diagnose.Summary}, terminate {terminate.Summary}: both sessions terminated", test, probe, diagnose, terminate);

        Assert.Equal(0, probe.ExitCode);
        Assert.True(connectMs >= 200, $"the connect took {connectMs} ms: the latency was not applied");
        Assert.Equal("accepting", Json(probe).GetProperty("outcome").GetString());
        Assert.True(diagnose.ExitCode is 0 or 1, diagnose.All);
        Assert.True(Json(diagnose).GetProperty("usage").GetProperty("clientBackends").GetInt32() >= 2, diagnose.Out);
        Assert.Equal(0, terminate.ExitCode);
        Assert.Equal(["terminated", "terminated"], Json(terminate).GetProperty("steps")[0].GetProperty("results").EnumerateArray().Select(r => r.GetProperty("result").GetString()));
        Assert.All(new[] { probe, diagnose, terminate }, r => Assert.True(r.Elapsed < TimeSpan.FromSeconds(5), $"{r.Summary}: {r.All}"));
    }

    [Fact]
    public async Task LatencyPastTheTimeout_ProbeDiagnoseTerminate_GiveUpWithinTheTimeoutPlusOneSecond()
    {
        const string test = "ProxyFaultTests.LatencyPastTheTimeout_ProbeDiagnoseTerminate_GiveUpWithinTheTimeoutPlusOneSecond";
        await using var proxy = TcpFaultProxy.Start(fixture.Sandbox.Port);
        // Round trips of 6 s against a 2 s timeout: giving up within the timeout plus a second cannot be
        // mistaken for waiting a round trip out.
        proxy.Latency = TimeSpan.FromSeconds(3);
        var url = Through(proxy);

        var startup = await PgMedicProcess.StartupAsync();
        var probe = await PgMedicProcess.RunAsync(null, Limit, "probe", url, "--timeout", "2s", "--format", "json");
        var diagnose = await PgMedicProcess.RunAsync(null, Limit, "diagnose", url, "--timeout", "2s", "--format", "json");
        var terminate = await PgMedicProcess.RunAsync(null, Limit, "terminate", url, "--state", "idle", "--yes", "--timeout", "2s", "--audit-log", _audit);
        Record("6 s round trips (3 s each way) against `--timeout 2s`: `probe`, `diagnose`, `terminate`", $"probe {probe.Summary}, diagnose {diagnose.Summary}, terminate {terminate.Summary}; each said timeout", test, probe, diagnose, terminate);

        Assert.All(new[] { probe, diagnose, terminate }, r =>
        {
            Assert.True(r.Elapsed < TimeSpan.FromSeconds(3) + startup, $"{r.Summary} (start-up {startup.TotalMilliseconds:0} ms): {r.All}");
            Assert.Equal(2, r.ExitCode);
            Assert.DoesNotContain("   at ", r.All, StringComparison.Ordinal);
            Assert.Contains("timeout", r.All, StringComparison.Ordinal);
        });
        Assert.Equal("timeout", Json(probe).GetProperty("reason").GetString());
        Assert.Equal("timeout", Json(diagnose).GetProperty("probe").GetProperty("reason").GetString());
        Assert.StartsWith("pgmedic: cannot connect to ", Assert.Single(Lines(terminate.Error)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectionDroppedMidQuery_ProbeDiagnoseTerminate_OneCleanOutcomeNoTraceTerminateActsOnce()
    {
        const string test = "ProxyFaultTests.ConnectionDroppedMidQuery_ProbeDiagnoseTerminate_OneCleanOutcomeNoTraceTerminateActsOnce";
        await using var proxy = TcpFaultProxy.Start(fixture.Sandbox.Port);
        var url = Through(proxy);
        await using var held = await HeldConnections.OpenAsync(fixture.Sandbox.SuperuserTarget, 2, "proxy-drop");

        proxy.DropWhenClientSends("SELECT 1", times: 1);
        var probe = await PgMedicProcess.RunAsync(null, Limit, "probe", url, "--timeout", "5s", "--format", "json");
        proxy.DropWhenClientSends("pg_stat_get_activity", times: 1);
        var diagnose = await PgMedicProcess.RunAsync(null, Limit, "diagnose", url, "--timeout", "5s", "--format", "json");
        var accepted = proxy.Accepted;
        proxy.DropWhenClientSends("pg_terminate_backend", times: 1);
        var terminate = await PgMedicProcess.RunAsync(null, Limit, "terminate", url, "--application", "proxy-drop", "--state", "idle", "--idle-for", "1ms", "--include-superusers", "--yes", "--timeout", "5s", "--audit-log", _audit);
        var terminateConnections = proxy.Accepted - accepted;
        await ServerState.WaitUntilGoneAsync(fixture.Sandbox, held.Pids);
        var audit = File.ReadAllLines(_audit).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var started = audit.Where(e => e.GetProperty("event").GetString() == "action-started").Select(e => e.GetProperty("action").GetProperty("pid").GetInt32()).ToList();
        Record("connection cut (reset) once the query is sent: `probe` (SELECT 1), `diagnose` (the snapshot), `terminate` (pg_terminate_backend)", $"probe {probe.Summary} ({Json(probe).GetProperty("reason").GetString()}), diagnose {diagnose.Summary} ({Json(diagnose).GetProperty("probe").GetProperty("reason").GetString()}), terminate {terminate.Summary}: one line, {started.Count} actions started for 2 sessions over {terminateConnections} connection", test, probe, diagnose, terminate);

        Assert.Equal(3, proxy.Dropped);
        Assert.All(new[] { probe, diagnose, terminate }, r =>
        {
            Assert.Equal(2, r.ExitCode);
            Assert.DoesNotContain("   at ", r.All, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception:", r.Out, StringComparison.Ordinal);
            Assert.True(r.Elapsed < TimeSpan.FromSeconds(6), $"{r.Summary}: {r.All}");
        });
        Assert.Equal("no-response", Json(probe).GetProperty("outcome").GetString());
        Assert.Equal("reset", Json(diagnose).GetProperty("probe").GetProperty("reason").GetString());
        Assert.Contains("lost mid-read", Json(diagnose).GetProperty("probe").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(diagnose.Error);
        var line = Assert.Single(Lines(terminate.Error));
        Assert.StartsWith("pgmedic: failed after acting", line, StringComparison.Ordinal);

        // Acted once: each session's action started once, over the one connection the cut ended; nothing reconnected to try again.
        Assert.Equal(held.Pids.Order(), started.Order());
        Assert.Equal(1, terminateConnections);
    }

    [Fact]
    public async Task SlowConnectThenSlowRead_DiagnoseCheckActivityAdviseSlowQueriesPools_EndWithinTheTimeoutPlusOneSecond()
    {
        const string test = "ProxyFaultTests.SlowConnectThenSlowRead_DiagnoseCheckActivityAdviseSlowQueriesPools_EndWithinTheTimeoutPlusOneSecond";
        await using var proxy = TcpFaultProxy.Start(fixture.Sandbox.Port);

        // Each step alone is inside the 3 s; together (4.4 s) they are not: one deadline must cover both.
        proxy.ConnectDelay = TimeSpan.FromSeconds(2.2);
        proxy.Stall("pg_stat_get_activity", TimeSpan.FromSeconds(2.2));
        proxy.Stall("pg_stat_statements", TimeSpan.FromSeconds(2.2));
        var url = Through(proxy);
        using var silent = new SilentListener();
        var startup = await PgMedicProcess.StartupAsync();

        var runs = new List<(string Verb, TimedRun Run, int Exit)>
        {
            ("diagnose", await PgMedicProcess.RunAsync(null, Limit, "diagnose", url, "--timeout", "3s", "--format", "json"), 2),
            ("check connections", await PgMedicProcess.RunAsync(null, Limit, "check", "connections", url, "--timeout", "3s"), 2),
            ("activity", await PgMedicProcess.RunAsync(null, Limit, "activity", url, "--timeout", "3s"), 2),
            ("advise", await PgMedicProcess.RunAsync(null, Limit, "advise", url, "--workers", "2", "--timeout", "3s"), 3),
            ("slow-queries", await PgMedicProcess.RunAsync(null, Limit, "slow-queries", url, "--timeout", "3s"), 2),
            ("pools", await PgMedicProcess.RunAsync(null, Limit, "pools", $"http://127.0.0.1:{silent.Port}/health/pool", "--timeout", "3s"), 2),
        };
        Record("2.2 s connect then a 2.2 s stall on the read, `--timeout 3s`: `diagnose`, `check connections`, `activity`, `advise`, `slow-queries` (pools: an endpoint that never answers)", string.Join(", ", runs.Select(r => $"{r.Verb} {r.Run.Summary}")) + "; each said the deadline passed", test, [.. runs.Select(r => r.Run)]);

        Assert.All(runs, r =>
        {
            Assert.True(r.Run.Elapsed < TimeSpan.FromSeconds(4) + startup, $"{r.Verb}: {r.Run.Summary} (start-up {startup.TotalMilliseconds:0} ms): {r.Run.All}");
            Assert.Equal(r.Exit, r.Run.ExitCode);
            Assert.DoesNotContain("   at ", r.Run.All, StringComparison.Ordinal);
            Assert.DoesNotContain("cancelled", r.Run.All, StringComparison.Ordinal);
        });
        Assert.Equal("timeout", Json(runs[0].Run).GetProperty("probe").GetProperty("reason").GetString());
        Assert.Contains("did not answer before the 3 s deadline", runs[0].Run.Out, StringComparison.Ordinal);
        Assert.StartsWith("POSTGRES_CONNECTIONS CRITICAL - cannot read the server: timeout", runs[1].Run.Out, StringComparison.Ordinal);
        Assert.StartsWith("pgmedic: cannot read ", runs[2].Run.Error, StringComparison.Ordinal);
        Assert.Contains("deadline", runs[3].Run.Error, StringComparison.Ordinal);
        Assert.Contains("deadline", runs[4].Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectSlowerThanTheTimeout_Advise_SaysTheDeadlinePassedInOneLine()
    {
        await using var proxy = TcpFaultProxy.Start(fixture.Sandbox.Port);
        proxy.ConnectDelay = TimeSpan.FromSeconds(4);

        var run = await PgMedicProcess.RunAsync(null, Limit, "advise", Through(proxy), "--workers", "2", "--timeout", "2s");

        Assert.Equal(3, run.ExitCode);
        var line = Assert.Single(Lines(run.Error));
        Assert.StartsWith("pgmedic: cannot read ", line, StringComparison.Ordinal);
        Assert.Contains("no answer before the 2 s deadline", line, StringComparison.Ordinal);
    }

    private string Through(TcpFaultProxy proxy) =>
        (fixture.Sandbox.SuperuserTarget with { Port = proxy.Port }).ToUrl();

    private static JsonElement Json(TimedRun run) => JsonDocument.Parse(run.Out).RootElement;

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static void Record(string fault, string result, string test, params TimedRun[] runs) =>
        ReliabilityRecord.Fault(fault, result, test, runs.Aggregate(TimeSpan.Zero, (sum, r) => sum + r.Elapsed));
}
