using System.Text.RegularExpressions;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Sandbox;

public sealed partial class SandboxCommandTests
{
    [Fact]
    public async Task Sandbox_RunsUntilCtrlC_ServesProbesThenRemovesItself()
    {
        using var sandbox = PgMedicProcess.Start("sandbox", "--max-connections", "12");
        var banner = await sandbox.WaitForOutputAsync("Press Ctrl+C", TimeSpan.FromSeconds(30));
        var url = UnmaskedUrl().Match(banner).Groups[1].Value;
        Assert.Contains("URL (masked, safe to share):      postgres://postgres:***@127.0.0.1:", banner, StringComparison.Ordinal);
        var created = SandboxDirectory().Match(banner).Groups[1].Value;
        Assert.True(Directory.Exists(created), banner);

        var probe = await CliRun.InvokeAsync("probe", url, "--format", "json");
        sandbox.Interrupt();
        var exitCode = await sandbox.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, probe.ExitCode);
        Assert.Equal(0, exitCode);
        Assert.False(Directory.Exists(created), "the sandbox directory must be removed on Ctrl+C");
    }

    [GeneratedRegex(@"data in (\S+)\)\.")]
    private static partial Regex SandboxDirectory();

    [GeneratedRegex(@"URL \(CONTAINS THE PASSWORD\):\s+(\S+)")]
    private static partial Regex UnmaskedUrl();
}
