using System.Diagnostics;
using System.Text.Json;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Probing;

[Collection(SandboxCollection.Name)]
public sealed class ProbeCommandTests(SandboxFixture fixture)
{
    private PostgresSandbox Sandbox => fixture.Sandbox;

    private string Url => Sandbox.SuperuserTarget.ToUrl();

    [Fact]
    public async Task Probe_AcceptingServerAsJson_ExitZeroWithDocumentedFields()
    {
        var run = await CliRun.InvokeAsync("probe", Url, "--format", "json");

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.Equal("accepting", root.GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("reason").ValueKind);
        Assert.StartsWith("15", root.GetProperty("serverVersion").GetString(), StringComparison.Ordinal);
        Assert.True(root.GetProperty("connectMilliseconds").GetDouble() > 0);
        Assert.Equal(0, root.GetProperty("exitCode").GetInt32());
        Assert.Equal($"postgres://postgres:***@127.0.0.1:{Sandbox.Port}/postgres", root.GetProperty("target").GetString());
    }

    [Fact]
    public async Task Probe_TableFormat_ShowsVerdictAndMaskedTarget()
    {
        var run = await CliRun.InvokeAsync("probe", Url);

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("accepting postgres://postgres:***@127.0.0.1", run.Out, StringComparison.Ordinal);
        Assert.Contains("postgres://postgres:***@127.0.0.1", run.Out, StringComparison.Ordinal);
        Assert.Contains("PostgreSQL 15", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_WrongPasswordAsMarkdown_ExitOneWithReasonAndAdvice()
    {
        var target = Sandbox.SuperuserTarget with { Password = "wrong-password" };

        var run = await CliRun.InvokeAsync("probe", target.ToUrl(), "--format", "markdown");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("| reason | auth-failed |", run.Out, StringComparison.Ordinal);
        Assert.Contains("| sqlstate | 28P01 |", run.Out, StringComparison.Ordinal);
        Assert.Contains("**Next:**", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_NoArgument_UsesDatabaseUrl()
    {
        var run = await CliRun.InvokeAsync(new Dictionary<string, string> { ["DATABASE_URL"] = Url }, "probe", "--format", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("\"accepting\"", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_LibpqVariables_Used()
    {
        var environment = new Dictionary<string, string>
        {
            ["PGHOST"] = "127.0.0.1",
            ["PGPORT"] = Sandbox.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PGUSER"] = "postgres",
            ["PGPASSWORD"] = Sandbox.SuperuserPassword,
            ["PGDATABASE"] = "postgres",
        };

        var run = await CliRun.InvokeAsync(environment, "probe", "--format", "json");

        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public async Task Probe_NothingListening_ExitTwoRefused()
    {
        var run = await CliRun.InvokeAsync("probe", $"postgres://app:pw@127.0.0.1:{SilentListener.UnusedPort()}/db", "--format", "json");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("\"refused\"", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_ListenerThatNeverAnswers_GivesUpWithinTimeoutPlusOneSecond()
    {
        using var listener = new SilentListener();
        var stopwatch = Stopwatch.StartNew();

        var run = await CliRun.InvokeAsync("probe", $"postgres://app:pw@127.0.0.1:{listener.Port}/db", "--timeout", "1s", "--format", "json");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("\"timeout\"", run.Out, StringComparison.Ordinal);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"took {stopwatch.Elapsed}");
    }

    [Theory]
    [InlineData("--timeout", "soon")]
    [InlineData("--timeout", "-5s")]
    [InlineData("--format", "xml")]
    [InlineData("--no-such-option", "x")]
    public async Task Probe_BadOption_ExitThreeWithOneLineError(string option, string value)
    {
        var run = await CliRun.InvokeAsync("probe", Url, option, value);

        Assert.Equal(3, run.ExitCode);
        Assert.Empty(run.Out);
        Assert.Single(run.Error.TrimEnd().Split('\n'));
        Assert.StartsWith("pgmedic: ", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mysql://app:s3cr3t-pw@db/shop")]
    [InlineData("postgres://app:s3cr3t-pw@db:99999/shop")]
    [InlineData("host=db password=s3cr3t-pw port=abc")]
    public async Task Probe_MalformedTarget_ExitThreeOneLineWithoutPassword(string target)
    {
        var run = await CliRun.InvokeAsync("probe", target);

        Assert.Equal(3, run.ExitCode);
        Assert.Empty(run.Out);
        Assert.Single(run.Error.TrimEnd().Split('\n'));
        Assert.DoesNotContain("s3cr3t-pw", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_UnquotedConninfoWithPassword_ExitThreeWithoutEchoingIt()
    {
        var run = await CliRun.InvokeAsync("probe", "host=db", "password=Unquoted-Secret-1");

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("quote the TARGET", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unquoted-Secret-1", run.All, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> PasswordCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var format in new[] { "table", "json", "markdown" })
        {
            foreach (var scenario in new[] { "accepting", "wrong-password", "refused", "missing-database" })
            {
                data.Add(format, scenario);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PasswordCases))]
    public async Task Probe_AnyFormatAnyOutcome_PasswordNeverPrinted(string format, string scenario)
    {
        const string planted = "Pl4nted-Secret-Pw";
        var role = $"pw_{format}_{scenario.Replace('-', '_')}";
        await Sandbox.CreateRoleAsync(role, planted);
        var target = scenario switch
        {
            "accepting" => Sandbox.TargetFor(role, planted),
            "wrong-password" => Sandbox.TargetFor(role, planted + "-typo"),
            "refused" => Sandbox.TargetFor(role, planted) with { Port = SilentListener.UnusedPort() },
            _ => Sandbox.TargetFor(role, planted, "missing_db"),
        };

        var run = await CliRun.InvokeAsync("probe", target.ToUrl(), "--format", format);

        Assert.NotEqual(3, run.ExitCode);
        Assert.DoesNotContain(planted, run.All, StringComparison.Ordinal);
        Assert.Contains($"{role}:***@", run.All, StringComparison.Ordinal);
    }
}
