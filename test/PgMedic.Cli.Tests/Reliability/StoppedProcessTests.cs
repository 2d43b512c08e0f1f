using System.Diagnostics;
using System.Text.Json;
using Npgsql;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;
using static PgMedic.Cli.Tests.Reliability.FaultTests;

namespace PgMedic.Cli.Tests.Reliability;

/// <summary>
/// SIGSTOP with the real binary: the postmaster frozen in the middle of a terminate (the action goes
/// through on PgMedic's open session, the fresh verification login cannot get in), and one backend frozen
/// while it holds a lock others queue behind (probe and diagnose still read the server and name it).
/// Each ends within its deadline with one outcome; whatever was stopped is continued in <c>finally</c>.
/// </summary>
[Collection(FaultTests.Name)]
public sealed class StoppedProcessTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly string _audit = Path.Combine(Path.GetTempPath(), $"pgmedic-stop-audit-{Guid.NewGuid():N}.jsonl");

    public void Dispose() => File.Delete(_audit);

    [Fact]
    public async Task PostmasterStoppedDuringTerminate_ActsOnItsSessionThenSaysNewLoginsTimeOut_WithinTheTimeoutPlusOneSecond()
    {
        const string test = "StoppedProcessTests.PostmasterStoppedDuringTerminate_ActsOnItsSessionThenSaysNewLoginsTimeOut_WithinTheTimeoutPlusOneSecond";
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        await using var held = await HeldConnections.OpenAsync(sandbox.SuperuserTarget, 2, "frozen-postmaster");
        await using var observer = await PostgresSandbox.OpenAsync(sandbox.SuperuserTarget, applicationName: "test-observer");
        await using var proxy = TcpFaultProxy.Start(sandbox.Port);

        // The terminate statement is held 600 ms on its way: the postmaster is stopped while it is in flight.
        proxy.Stall("pg_terminate_backend", TimeSpan.FromMilliseconds(600));
        var url = (sandbox.SuperuserTarget with { Port = proxy.Port }).ToUrl();
        var pid = sandbox.PostmasterPid!.Value;
        var stopwatch = Stopwatch.StartNew();
        using var terminate = PgMedicProcess.Start("terminate", url, "--application", "frozen-postmaster", "--state", "idle", "--idle-for", "1ms", "--include-superusers", "--yes", "--timeout", "3s", "--audit-log", _audit, "--format", "json");
        int exit;
        TimeSpan elapsed;
        bool gone;
        try
        {
            while (proxy.Stalled == 0 && stopwatch.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(10);
            }

            Signal("STOP", pid);
            exit = await terminate.WaitForExitAsync(Limit);
            elapsed = stopwatch.Elapsed;
            gone = !(bool)(await new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid IN ({string.Join(',', held.Pids)}))", observer).ExecuteScalarAsync())!;
        }
        finally
        {
            Signal("CONT", pid);
        }

        var json = JsonDocument.Parse(terminate.StandardOutput).RootElement;
        var step = json.GetProperty("steps")[0];
        var verification = step.GetProperty("verification").GetProperty("probe");
        var results = step.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("result").GetString()).ToList();
        ReliabilityRecord.Fault("SIGSTOP of the postmaster while `terminate --timeout 3s` is acting (its session stays up, new logins hang)", $"exit {exit} after {elapsed.TotalSeconds:0.0} s: {string.Join(", ", results)}; the verification's fresh login: {verification.GetProperty("outcome").GetString()} ({verification.GetProperty("reason").GetString()})", test, elapsed);

        Assert.True(proxy.Stalled >= 1, "the terminate statement never went through the proxy");
        Assert.True(elapsed < TimeSpan.FromSeconds(4), $"took {elapsed.TotalSeconds:0.0} s: {terminate.Output}");
        Assert.Equal(2, exit);
        Assert.Equal(["terminated", "terminated"], results);
        Assert.True(gone, "the sessions were still there");
        Assert.Equal("no-response", verification.GetProperty("outcome").GetString());
        Assert.Equal("timeout", verification.GetProperty("reason").GetString());
        Assert.DoesNotContain("   at ", terminate.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OneBackendStoppedHoldingALock_ProbeAndDiagnose_ReadTheServerAndNameItAsTheHeadBlocker()
    {
        const string test = "StoppedProcessTests.OneBackendStoppedHoldingALock_ProbeAndDiagnose_ReadTheServerAndNameItAsTheHeadBlocker";
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        await sandbox.ExecuteAsync("CREATE TABLE frozen_lock (id int)");
        await using var holder = await PostgresSandbox.OpenAsync(sandbox.SuperuserTarget, applicationName: "frozen-holder");
        await new NpgsqlCommand("BEGIN; LOCK TABLE frozen_lock IN ACCESS EXCLUSIVE MODE", holder).ExecuteNonQueryAsync();
        await using var waiter = await PostgresSandbox.OpenAsync(sandbox.SuperuserTarget, applicationName: "frozen-waiter");
        var waiting = new NpgsqlCommand("SELECT count(*) FROM frozen_lock", waiter).ExecuteScalarAsync();
        await ServerState.WaitUntilAsync(sandbox, "EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'frozen-waiter' AND wait_event_type = 'Lock')");
        var frozen = holder.ProcessID;
        var url = sandbox.SuperuserTarget.ToUrl();
        TimedRun probe, diagnose;
        Signal("STOP", frozen);
        try
        {
            probe = await PgMedicProcess.RunAsync(null, Limit, "probe", url, "--timeout", "3s", "--format", "json");
            diagnose = await PgMedicProcess.RunAsync(null, Limit, "diagnose", url, "--timeout", "3s", "--blocking-warning", "100ms", "--format", "json");
        }
        finally
        {
            Signal("CONT", frozen);
        }

        await new NpgsqlCommand("ROLLBACK", holder).ExecuteNonQueryAsync();
        await waiting;
        var findings = JsonDocument.Parse(diagnose.Out).RootElement.GetProperty("findings").EnumerateArray().ToList();
        var chain = findings.Single(f => f.GetProperty("code").GetString() == "blocking-chain");
        ReliabilityRecord.Fault("SIGSTOP of one backend holding an ACCESS EXCLUSIVE lock (one session queued behind it) during `probe` and `diagnose --timeout 3s`", $"probe {probe.Summary} (accepting), diagnose {diagnose.Summary}: blocking-chain {chain.GetProperty("severity").GetString()} naming the frozen PID as the head", test, probe.Elapsed + diagnose.Elapsed);

        Assert.Equal(0, probe.ExitCode);
        Assert.True(diagnose.ExitCode is 1 or 2, diagnose.All);
        Assert.Contains(frozen, chain.GetProperty("pids").EnumerateArray().Select(p => p.GetInt32()));
        Assert.Contains(frozen.ToString(System.Globalization.CultureInfo.InvariantCulture), chain.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.All(new[] { probe, diagnose }, r => Assert.True(r.Elapsed < TimeSpan.FromSeconds(4), $"{r.Summary}: {r.All}"));
    }
}
