namespace PgMedic.Cli.Tests.Demo;

public sealed class DemoProcessTests
{
    [Fact]
    public async Task Demo_AsSeparateProcessUnattended_TellsOutcomesApartAndLeavesNothingBehind()
    {
        var before = SandboxDirectories();
        using var demo = PgMedicProcess.Start("demo");

        var exitCode = await demo.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 0, demo.Output);
        Assert.Contains("probe as the superuser: accepting connections", demo.Output, StringComparison.Ordinal);
        Assert.Contains("auth-failed", demo.Output, StringComparison.Ordinal);
        Assert.Contains("database-missing", demo.Output, StringComparison.Ordinal);
        Assert.Contains("no response: refused", demo.Output, StringComparison.Ordinal);
        Assert.Contains("Sandbox stopped and its directory removed.", demo.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("UNEXPECTED", demo.Output, StringComparison.Ordinal);
        Assert.Equal(before, SandboxDirectories().Intersect(before).ToHashSet());
        Assert.Empty(SandboxDirectories().Except(before));
    }

    internal static HashSet<string> SandboxDirectories() =>
        Directory.GetDirectories(Path.GetTempPath(), "pgmedic-sandbox-*").ToHashSet();
}
