using System.Diagnostics;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Reliability;

/// <summary>
/// Faults with real processes: a SIGSTOPped postmaster (it accepts the TCP connection but never answers)
/// during probe and diagnose ends within --timeout + 1 s with one outcome. The other faults are proven
/// where they live; this suite records their names in the reliability table.
/// </summary>
[Collection(Name)]
public sealed class FaultTests
{
    /// <summary>Run alone: the bound includes the process's start, which a busy 2-core machine would stretch.</summary>
    public const string Name = "faults, alone";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <summary>Faults proven elsewhere, named so the table says where.</summary>
    private static readonly (string Fault, string Test)[] Elsewhere =
    [
        ("SIGSTOP of one backend during terminate: ends within --timeout, one outcome (not-confirmed)", "PgMedic.Cli.Tests.Remediation.DeadlineTests.TerminateTimeout3s_StoppedBackends_EndsWithinTheTimeoutAndSaysNotConfirmedOneWay"),
        ("server stopped then started during serve: failure alert fires, /health 503, restart resolves", "PgMedic.Monitor.Tests.Polling.AlertScenarioTests.DatabaseConnectionFailure_ServerStopped_FiresAfterItsWindowHealthTurns503AndRestartResolves"),
        ("max_connections filled by an ordinary role while serve runs as superuser: the lifeline keeps reporting", "PgMedic.Monitor.Tests.Polling.LifelineTests.Lifeline_ServerFilledPastUsableThenPastReserved_Reads100PercentThenStillSeesWhenEvenSuperusersAreRefused"),
        ("kill -9 of serve with an alert firing, then restart: history and outbox intact; webhook receiver down then up: every state change delivered exactly once", "PgMedic.Monitor.Tests.Notifications.OutboxTests.Webhooks_ReceiverDownAndMonitorKilledInBetween_EveryStateChangeArrivesExactlyOnce"),
    ];

    [Fact]
    public async Task PostmasterStopped_ProbeAndDiagnose_EndWithinTheTimeoutPlusOneSecond_OneOutcome()
    {
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        var url = sandbox.SuperuserTarget.ToUrl();
        var pid = sandbox.PostmasterPid!.Value;
        var rows = new List<string>();
        Signal("STOP", pid);
        try
        {
            foreach (var verb in new[] { "probe", "diagnose" })
            {
                var stopwatch = Stopwatch.StartNew();
                using var run = PgMedicProcess.Start(verb, url, "--timeout", "3s", "--format", "json");
                var exit = await run.WaitForExitAsync(Timeout + TimeSpan.FromSeconds(10));
                var elapsed = stopwatch.Elapsed;
                rows.Add($"| SIGSTOP of the postmaster during `{verb} --timeout 3s` | exit {exit} after {elapsed.TotalSeconds:0.0} s | `FaultTests.PostmasterStopped_ProbeAndDiagnose_EndWithinTheTimeoutPlusOneSecond_OneOutcome` |");

                Assert.True(elapsed < Timeout + TimeSpan.FromSeconds(1), $"{verb} took {elapsed.TotalSeconds:0.0} s: {run.Output}");
                Assert.Equal(2, exit);
                Assert.DoesNotContain("   at ", run.Output, StringComparison.Ordinal);
                Assert.Contains("timeout", run.Output, StringComparison.OrdinalIgnoreCase);
            }
        }
        finally
        {
            Signal("CONT", pid);
        }

        ReliabilityRecord.Write("3-faults", $"""
            ## Faults with real processes

            | fault | result | test |
            |---|---|---|
            {string.Join("\n", rows)}
            {string.Join("\n", Elsewhere.Select(e => $"| {e.Fault} | proven by that test (test.sh runs it) | `{e.Test}` |"))}
            """);
    }

    private static void Signal(string signal, int pid)
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
