using System.Text.RegularExpressions;
using Npgsql;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Checks;

[Collection(SandboxCollection.Name)]
public sealed partial class CheckCommandTests(SandboxFixture fixture)
{
    private PostgresSandbox Sandbox => fixture.Sandbox;

    private string Url => Sandbox.SuperuserTarget.ToUrl();

    [Fact]
    public async Task CheckConnections_Defaults_OkPluginLineWithPerfData()
    {
        var run = await CliRun.InvokeAsync("check", "connections", Url);

        Assert.Equal(0, run.ExitCode);
        var match = PluginLine().Match(run.Out.TrimEnd());
        Assert.True(match.Success, run.Out);
        Assert.Equal("POSTGRES_CONNECTIONS", match.Groups["service"].Value);
        Assert.Contains("usable slots in use", run.Out, StringComparison.Ordinal);
        Assert.Matches(@"connections=\d+;29.6;33.3;0;37", run.Out);
    }

    [Theory]
    [InlineData("3", "100", 1)]
    [InlineData("1", "3", 2)]
    [InlineData("--warning=-35", "--critical=-1", 1)]
    [InlineData("5%", "90%", 1)]
    public async Task CheckConnections_HeldConnectionsOverThreshold_WarningOrCritical(string warning, string critical, int expected)
    {
        await using var held = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 3, "check-load");
        string[] args = warning.StartsWith("--", StringComparison.Ordinal)
            ? ["check", "connections", Url, warning, critical]
            : ["check", "connections", Url, "--warning", warning, "--critical", critical];

        var run = await CliRun.InvokeAsync(args);

        Assert.Equal(expected, run.ExitCode);
        Assert.Matches(expected == 1 ? "^POSTGRES_CONNECTIONS WARNING - " : "^POSTGRES_CONNECTIONS CRITICAL - ", run.Out);
    }

    [Fact]
    public async Task CheckIdleInTransaction_OpenTransaction_NamesItsPid()
    {
        await using var held = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 1, "nagios-iit");
        await held.ExecuteOnEachAsync("BEGIN; SELECT 1;");
        await Task.Delay(300);

        var run = await CliRun.InvokeAsync("check", "idle-in-transaction", Url, "--warning", "100ms", "--critical", "1h");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"pid {held.Pids[0]} nagios-iit", run.Out, StringComparison.Ordinal);
        Assert.Matches(PluginLine(), run.Out.TrimEnd());
    }

    [Fact]
    public async Task CheckBlocking_RealLockChain_CriticalNamingHeadBlocker()
    {
        await Sandbox.ExecuteAsync("CREATE TABLE IF NOT EXISTS check_lock (id int)");
        await using var head = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 1, "locker");
        await head.ExecuteOnEachAsync("BEGIN; LOCK TABLE check_lock IN ACCESS EXCLUSIVE MODE;");
        await using var waiter = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 1, "waiter");
        var blocked = new NpgsqlCommand("SELECT count(*) FROM check_lock", waiter.Connections[0]).ExecuteScalarAsync();
        await ServerState.WaitUntilAsync(Sandbox, "EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'waiter' AND wait_event_type = 'Lock')");
        await Task.Delay(300);

        var run = await CliRun.InvokeAsync("check", "blocking", Url, "--warning", "50ms", "--critical", "100ms");
        await head.ExecuteOnEachAsync("COMMIT");
        await blocked;

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"head blocker(s): pid {head.Pids[0]}", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckLongQueries_ServerDown_CriticalCannotConnect()
    {
        var run = await CliRun.InvokeAsync("check", "long-queries", $"postgres://app:pw@127.0.0.1:{SilentListener.UnusedPort()}/db");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("POSTGRES_LONG_QUERIES CRITICAL - cannot connect: refused", run.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("connections", "--warning", "lots")]
    [InlineData("long-queries", "--warning", "10m")]
    public async Task Check_BadThresholds_UnknownExitThree(string kind, string option, string value)
    {
        var run = await CliRun.InvokeAsync("check", kind, Url, option, value);

        Assert.Equal(3, run.ExitCode);
        Assert.Single(run.Error.TrimEnd().Split('\n'));
    }

    [GeneratedRegex(@"^(?<service>[A-Z_]+) (?<status>OK|WARNING|CRITICAL|UNKNOWN) - (?<text>[^|\n]+) \| (?<perf>('[^']+'|[A-Za-z0-9_.-]+)=[-0-9.]+[a-zA-Z%]*(;[-0-9.]*){0,4}( |$))+$")]
    private static partial Regex PluginLine();
}
