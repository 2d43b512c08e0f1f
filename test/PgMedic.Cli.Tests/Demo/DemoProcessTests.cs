using System.Text.RegularExpressions;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Demo;

/// <summary><c>pgmedic demo</c> for each scenario, as a separate process, unattended — the project's end-to-end test.</summary>
public sealed partial class DemoProcessTests : IDisposable
{
    private readonly string _report = Path.Combine(Path.GetTempPath(), $"pgmedic-demo-report-{Guid.NewGuid():N}.md");

    public void Dispose() => File.Delete(_report);

    [Theory]
    [InlineData("leak", "connection-saturation (critical, 90 %)")]
    [InlineData("idle-in-transaction", "connection-saturation (critical, 90 %)")]
    [InlineData("lock-chain", "blocking-chain")]
    [InlineData("server-down", "database-connection-failure")]
    public async Task Demo_Scenario_DetectsHealsVerifiesReportsAndLeavesNothingBehind(string scenario, string alert)
    {
        using var demo = PgMedicProcess.Start("demo", "--scenario", scenario, "--report-file", _report);

        var exitCode = await demo.WaitForExitAsync(TimeSpan.FromSeconds(60));

        var output = demo.Output;
        Assert.True(exitCode == 0, output);
        Assert.Matches(@"Database Health Dashboard at http://127\.0\.0\.1:\d+/", output);
        Assert.Contains($"ALERT firing: {alert}", output, StringComparison.Ordinal);
        Assert.Contains($"ALERT resolved: {alert}", output, StringComparison.Ordinal);
        Assert.Contains("alerts still firing: none", output, StringComparison.Ordinal);
        Assert.Matches(@"Verify: probe accepting .*service /health: \{""status"":""healthy"",""database"":""connected""\}", output);
        Assert.Matches(@"traffic in the last 1.5 s: [1-9]\d* requests, 0 failed", output);
        Assert.Matches(@"Time from the first alert to verified recovery: \d+\.\d s", output);
        Assert.Contains("Demo finished: the incident was detected, diagnosed, healed and verified.", output, StringComparison.Ordinal);
        if (scenario != "server-down")
        {
            Assert.Contains("— exactly those, nothing else.", output, StringComparison.Ordinal);
        }

        var report = await File.ReadAllTextAsync(_report);
        Assert.Contains("## Timeline (UTC)", report, StringComparison.Ordinal);
        Assert.Contains($"ALERT firing: {alert}", report, StringComparison.Ordinal);
        Assert.Contains("## Post-incident checklist", report, StringComparison.Ordinal);
        Assert.DoesNotMatch("app-[0-9a-f]{12}", report + output);

        var started = Started().Match(output);
        Assert.True(started.Success, output);
        Assert.False(Directory.Exists(started.Groups["sandbox"].Value), "the sandbox directory must be removed");
        Assert.False(Directory.Exists(started.Groups["work"].Value), "the demo's own files must be removed");
        Assert.False(Directory.Exists($"/proc/{started.Groups["postmaster"].Value}") && !IsZombie(started.Groups["postmaster"].Value), "the sandbox server must be stopped");
    }

    [Fact]
    public async Task Demo_Leak_FindingsNameLeakingApplicationCallSiteAndRunbookStep()
    {
        using var demo = PgMedicProcess.Start("demo", "--report-file", _report);

        var exitCode = await demo.WaitForExitAsync(TimeSpan.FromSeconds(60));

        var output = demo.Output;
        Assert.True(exitCode == 0, output);
        Assert.Matches(@"orders-api: first failed checkout — PgMedic.Guard: no connection became free .* by ExportInvoicesAsync at .*DemoService\.cs:\d+, leak suspected", output);
        Assert.Matches(@"WARNING idle-in-transaction: 16 session\(s\) idle in an open transaction .*orders-api\) — held at DemoService\.cs:\d+ \(ExportInvoicesAsync\)", output);
        Assert.Contains("runbook: Step 3: Identify Connection Leaks", output, StringComparison.Ordinal);
        Assert.Contains("Dry run: nothing was changed.", output, StringComparison.Ordinal);
        Assert.Contains("Healed: verified healthy", output, StringComparison.Ordinal);
        var report = await File.ReadAllTextAsync(_report);
        Assert.Matches(@"application 'orders-api': 16 session\(s\) idle in an open transaction .*; checked out at DemoService\.cs:\d+ \(ExportInvoicesAsync\)", report);
    }

    [Fact]
    public async Task Demo_LockChain_ChainFixNamesTheMigrationsPidAndNoWaitersCallSite()
    {
        using var demo = PgMedicProcess.Start("demo", "--scenario", "lock-chain", "--report-file", _report);

        var exitCode = await demo.WaitForExitAsync(TimeSpan.FromSeconds(60));

        var output = demo.Output;
        Assert.True(exitCode == 0, output);
        var migration = Regex.Match(output, @"A schema migration \(pid (?<pid>\d+)\)").Groups["pid"].Value;
        Assert.True(migration.Length > 0, output);
        var chain = Regex.Match(output, $@"(?m)^.*WARNING blocking-chain: pid {migration} blocks \d+ session\(s\).*$");
        Assert.True(chain.Success, output);
        Assert.DoesNotContain("held at", chain.Value, StringComparison.Ordinal);
        Assert.Contains($"fix: pgmedic terminate --blocking --pid {migration} --waiting-for 1s", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_UnknownScenario_ExitThreeOneLine()
    {
        var run = await CliRun.InvokeAsync("demo", "--scenario", "meteor");

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("--scenario 'meteor' is not one of leak, idle-in-transaction, lock-chain, server-down", run.Error, StringComparison.Ordinal);
    }

    private static bool IsZombie(string pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }

    [GeneratedRegex(@"\(directory (?<sandbox>\S+), postmaster pid (?<postmaster>\d+); demo files in (?<work>\S+)\)")]
    private static partial Regex Started();
}
