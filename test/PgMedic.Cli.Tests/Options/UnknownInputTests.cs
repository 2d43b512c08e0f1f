namespace PgMedic.Cli.Tests.Options;

/// <summary>Unknown options and commands are named as such, with the nearest real one; words that may hold a password are not echoed.</summary>
public sealed class UnknownInputTests
{
    private const string Secret = "Sup3r-Secret-Pw";

    [Theory]
    [InlineData(new[] { "probe", "--jsn" }, "pgmedic: unknown option '--jsn' (see 'pgmedic probe --help')")]
    [InlineData(new[] { "probe", "postgres://db/shop", "--jsn" }, "pgmedic: unknown option '--jsn' (see 'pgmedic probe --help')")]
    [InlineData(new[] { "probe", "--formt", "json" }, "pgmedic: unknown option '--formt' — did you mean '--format'? (see 'pgmedic probe --help')")]
    [InlineData(new[] { "diagnos" }, "pgmedic: unknown command 'pgmedic diagnos' — did you mean 'pgmedic diagnose'? (see 'pgmedic --help')")]
    [InlineData(new[] { "check", "conections" }, "pgmedic: unknown command 'pgmedic check conections' — did you mean 'pgmedic check connections'? (see 'pgmedic check --help')")]
    [InlineData(new[] { "check" }, "pgmedic: 'pgmedic check' needs a command: connections, idle-in-transaction, long-queries, pgbouncer-waiting, blocking (see 'pgmedic check --help')")]
    [InlineData(new[] { "terminate", "--max", "many" }, "pgmedic: --max 'many' is not a whole number (see 'pgmedic terminate --help')")]
    public async Task Unknown_OptionOrCommand_NamedWithTheNearestRealOne(string[] args, string expected)
    {
        var run = await CliRun.InvokeAsync(args);

        Assert.Equal(3, run.ExitCode);
        Assert.Empty(run.Out);
        Assert.Equal(expected, run.Error.TrimEnd());
    }

    [Theory]
    [InlineData("probe", "host=db", "password=" + Secret)]
    [InlineData("probe", "host=db", "password=a", "-" + Secret)]
    [InlineData("probe", "--password=" + Secret)]
    [InlineData("probe", "-" + Secret + "'")]
    [InlineData("probe", "--jsn", "host=db", "password=" + Secret)]
    [InlineData("postgres://app:" + Secret + "@db/shop")]
    [InlineData("terminate", "--max", "password=" + Secret)]
    public async Task Unknown_WordsThatMayHoldAPassword_NotEchoed(params string[] args)
    {
        var run = await CliRun.InvokeAsync(args);

        Assert.Equal(3, run.ExitCode);
        Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain(Secret, run.All, StringComparison.Ordinal);
    }
}
