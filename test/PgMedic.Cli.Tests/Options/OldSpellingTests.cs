using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Options;

/// <summary>
/// Spellings whose meaning changed when the options took psql's letters: each fails before anything
/// connects (the TARGET is a port where nothing listens, so a run that went on would exit 2), naming the new spelling.
/// </summary>
public sealed class OldSpellingTests
{
    private static readonly string Nowhere = $"postgres://app@127.0.0.1:{SilentListener.UnusedPort()}/shop";

    public static TheoryData<string[], string> OldSpellings() => new()
    {
        { ["activity", Nowhere, "--min-age", "5m"], "'--min-age' is now '--idle-for'" },
        { ["activity", Nowhere, "-m", "5m"], "'-m' is now '--idle-for'" },
        { ["activity", Nowhere, "--database", "shop"], "'--database' is now '--in-database'" },
        { ["terminate", Nowhere, "--state", "idle", "--database", "shop"], "'--database' is now '--in-database'" },
        { ["cancel", Nowhere, "--database", "shop"], "'--database' is now '--in-database'" },
        { ["heal", Nowhere, "--database", "shop"], "'--database' is now '--in-database'" },
        { ["terminate", Nowhere, "--state", "idle", "-u", "app"], "'-u' is now '--user'" },
        { ["cancel", Nowhere, "-u", "app"], "'-u' is now '--user'" },
        { ["terminate", Nowhere, "--blocking", "-w", "30s"], "'-w' is now '--waiting-for'" },
        { ["heal", Nowhere, "-w", "30s"], "'-w' is now '--waiting-for'" },
        { ["advise", Nowhere, "-w", "4"], "'-w' is now '--workers'" },
        { ["advise", Nowhere, "--workers", "4", "-c", "8"], "'-c' is now '--cores'" },
        { ["top", Nowhere, "-n", "1s"], "'-n' is now '--interval'" },
        { ["slow-queries", Nowhere, "-n", "5"], "'-n' is now '--limit'" },
        { ["diagnose", Nowhere, "-p", "http://127.0.0.1:5080/health/pool"], "'-p' is now the port, as in psql, and takes a number; what it used to mean is '--pool-endpoint'" },
        { ["terminate", Nowhere, "--state", "idle", "-d", "shop", "-d", "web"], "'-d' is the one database to connect to (--dbname), as in psql; to act in or list several, use '--in-database'" },
        { ["probe", Nowhere, "-h"], "'-h' needs a host name: it is the host, as in psql; for help use '-?' or '--help'" },
        { ["-h"], "'-h' is not help: use '-?' or '--help'" },
        { ["serve", "-h"], "'-h' is not help: use '-?' or '--help'" },
    };

    [Theory]
    [MemberData(nameof(OldSpellings))]
    public async Task OldSpelling_MeaningChanged_ExitThreeNamingTheNewOne(string[] args, string expected)
    {
        var run = await CliRun.InvokeAsync(args);

        Assert.True(run.ExitCode == 3, run.All);
        Assert.Empty(run.Out);
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("pgmedic: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OldSpelling_NotInHelp()
    {
        var run = await CliRun.InvokeAsync("activity", "--help");

        Assert.DoesNotContain("--min-age", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("--database ", run.Out, StringComparison.Ordinal);
        Assert.Contains("-i, --idle-for <duration>", run.Out, StringComparison.Ordinal);
        Assert.Contains("--in-database <database>", run.Out, StringComparison.Ordinal);
    }
}
