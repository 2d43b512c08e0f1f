using System.Diagnostics;
using System.Text.Json;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Remediation;

/// <summary>
/// A backend that cannot exit (SIGSTOPped) bounds nothing: <c>--timeout</c> bounds the whole terminate,
/// and one stuck backend reads the same whichever path waited for it.
/// </summary>
public sealed class DeadlineTests : IDisposable
{
    private readonly string _audit = Path.Combine(Path.GetTempPath(), $"pgmedic-audit-{Guid.NewGuid():N}.jsonl");

    public void Dispose() => File.Delete(_audit);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task TerminateTimeout3s_StoppedBackends_EndsWithinTheTimeoutAndSaysNotConfirmedOneWay(int stopped)
    {
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        await using var held = await HeldConnections.OpenAsync(sandbox.SuperuserTarget, stopped, "frozen-worker");
        await Task.Delay(50);
        foreach (var pid in held.Pids)
        {
            Signal("STOP", pid);
        }

        try
        {
            var stopwatch = Stopwatch.StartNew();
            var run = await CliRun.InvokeAsync("terminate", sandbox.SuperuserTarget.ToUrl(), "--state", "idle", "--idle-for", "1ms", "--application", "frozen-worker", "--include-superusers", "--yes", "--timeout", "3s", "--audit-log", _audit, "--format", "json");
            var elapsed = stopwatch.Elapsed;
            ReliabilityRecord.Fault($"SIGSTOP of {stopped} backend(s) being terminated: `terminate --timeout 3s`", $"exit {run.ExitCode} after {elapsed.TotalSeconds:0.0} s (in-process): not-confirmed, one wording", $"DeadlineTests.TerminateTimeout3s_StoppedBackends_EndsWithinTheTimeoutAndSaysNotConfirmedOneWay({stopped})", elapsed);

            Assert.True(elapsed < TimeSpan.FromSeconds(3.5), $"took {elapsed.TotalSeconds:0.0} s");
            Assert.Equal(1, run.ExitCode);
            using var json = JsonDocument.Parse(run.Out);
            var results = json.RootElement.GetProperty("steps")[0].GetProperty("results").EnumerateArray().ToList();
            Assert.Equal(stopped, results.Count);
            Assert.All(results, r => Assert.Equal("not-confirmed", r.GetProperty("result").GetString()));
            Assert.All(results, r => Assert.StartsWith("the backend had not exited ", r.GetProperty("detail").GetString(), StringComparison.Ordinal));
        }
        finally
        {
            foreach (var pid in held.Pids)
            {
                Signal("CONT", pid);
            }
        }
    }

    private static void Signal(string signal, int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }
}
