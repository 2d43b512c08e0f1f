using System.Diagnostics;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Reliability;

/// <summary>
/// Faults with real processes: a SIGSTOPped postmaster (it accepts the TCP connection but never answers)
/// during probe and diagnose ends within --timeout + 1 s with one outcome. Every fault test records its
/// measured result as a row of the reliability table.
/// </summary>
[Collection(Name)]
public sealed class FaultTests
{
    /// <summary>Run alone: the bound includes the process's start, which a busy 2-core machine would stretch.</summary>
    public const string Name = "faults, alone";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task PostmasterStopped_ProbeAndDiagnose_EndWithinTheTimeoutPlusOneSecond_OneOutcome()
    {
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        var url = sandbox.SuperuserTarget.ToUrl();
        var pid = sandbox.PostmasterPid!.Value;
        Signal("STOP", pid);
        try
        {
            foreach (var verb in new[] { "probe", "diagnose" })
            {
                var run = await PgMedicProcess.RunAsync(null, Timeout + TimeSpan.FromSeconds(10), verb, url, "--timeout", "3s", "--format", "json");
                ReliabilityRecord.Fault($"SIGSTOP of the postmaster during `{verb} --timeout 3s`", $"{run.Summary}, {Reason(run)}", "FaultTests.PostmasterStopped_ProbeAndDiagnose_EndWithinTheTimeoutPlusOneSecond_OneOutcome", run.Elapsed);

                Assert.True(run.Elapsed < Timeout + TimeSpan.FromSeconds(1), $"{verb} took {run.Elapsed.TotalSeconds:0.0} s: {run.All}");
                Assert.Equal(2, run.ExitCode);
                Assert.DoesNotContain("   at ", run.All, StringComparison.Ordinal);
                Assert.Contains("timeout", run.All, StringComparison.OrdinalIgnoreCase);
            }
        }
        finally
        {
            Signal("CONT", pid);
        }
    }

    /// <summary>The probe reason a JSON answer gives (probe's own, or diagnose's probe).</summary>
    internal static string Reason(TimedRun run)
    {
        try
        {
            var json = System.Text.Json.JsonDocument.Parse(run.Out).RootElement;
            var probe = json.TryGetProperty("probe", out var inner) ? inner : json;
            return $"{probe.GetProperty("outcome").GetString()}: {probe.GetProperty("reason").GetString()}";
        }
        catch (System.Text.Json.JsonException)
        {
            return run.Error.Trim();
        }
    }

    internal static void Signal(string signal, int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }
}

[CollectionDefinition(FaultTests.Name, DisableParallelization = true)]
public sealed class FaultsAlone
{
}
