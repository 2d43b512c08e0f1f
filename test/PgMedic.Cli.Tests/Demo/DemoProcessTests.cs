namespace PgMedic.Cli.Tests.Demo;

public sealed class DemoProcessTests
{
    [Fact]
    public async Task Demo_AsSeparateProcessUnattended_TellsOutcomesApartAndLeavesNothingBehind()
    {
        using var demo = PgMedicProcess.Start("demo");

        var exitCode = await demo.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 0, demo.Output);
        Assert.Contains("probe as the superuser: accepting connections", demo.Output, StringComparison.Ordinal);
        Assert.Contains("auth-failed", demo.Output, StringComparison.Ordinal);
        Assert.Contains("database-missing", demo.Output, StringComparison.Ordinal);
        Assert.Contains("no response: refused", demo.Output, StringComparison.Ordinal);
        Assert.Contains("Sandbox stopped and its directory removed.", demo.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("UNEXPECTED", demo.Output, StringComparison.Ordinal);
        var directory = System.Text.RegularExpressions.Regex.Match(demo.Output, @"\(directory (\S+)\)").Groups[1].Value;
        Assert.StartsWith(Path.Combine(Path.GetTempPath(), "pgmedic-sandbox-"), directory, StringComparison.Ordinal);
        Assert.False(Directory.Exists(directory), "the demo must remove its sandbox directory");
    }
}
