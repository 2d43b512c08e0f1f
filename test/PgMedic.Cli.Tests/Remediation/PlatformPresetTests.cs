using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Remediation;

/// <summary>A sandbox with a database <c>shop</c> that every preset's emergency run targets.</summary>
public sealed class ShopSandbox : IAsyncLifetime
{
    public PostgresSandbox Sandbox { get; private set; } = null!;

    public string Url => Sandbox.SuperuserTarget.WithDatabase("shop").ToUrl();

    public async Task InitializeAsync()
    {
        Sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        await Sandbox.ExecuteAsync("CREATE DATABASE shop");
    }

    public Task DisposeAsync() => Sandbox.DisposeAsync().AsTask();
}

/// <summary>
/// Each platform's preset, run through emergency with stand-ins for the platform CLIs on PATH that record
/// their arguments: the exact command lines, in the playbook's order, and nothing run in a dry run.
/// </summary>
public sealed class PlatformPresetTests(ShopSandbox shop) : IClassFixture<ShopSandbox>, IDisposable
{
    private static readonly string[] Tools = ["railway", "heroku", "render", "fly", "kubectl", "systemctl"];
    private readonly string _work = Directory.CreateTempSubdirectory("pgmedic-presets-").FullName;

    private string Recorded => Path.Combine(_work, "argv.log");

    private string Audit => Path.Combine(_work, "audit.jsonl");

    public static TheoryData<string, string[]> Presets() => new()
    {
        {
            "railway",
            [
                "railway variables --set MAINTENANCE_MODE=true --service api --skip-deploys",
                "railway redeploy --service api --yes",
                "railway restart --service pg --yes",
                "railway restart --service api --yes",
                "railway variables --set MAINTENANCE_MODE=false --service api --skip-deploys",
                "railway redeploy --service api --yes",
            ]
        },
        { "heroku", ["heroku maintenance:on --app api", "heroku ps:restart --app api", "heroku maintenance:off --app api"] },
        { "render", ["render restart api --output text --confirm"] },
        { "fly", ["fly secrets set MAINTENANCE_MODE=true --app api", "fly apps restart pg", "fly apps restart api", "fly secrets set MAINTENANCE_MODE=false --app api"] },
        {
            "kubernetes",
            [
                "kubectl set env deployment/api MAINTENANCE_MODE=true", "kubectl rollout status deployment/api",
                "kubectl rollout restart statefulset/pg", "kubectl rollout status statefulset/pg",
                "kubectl rollout restart deployment/api", "kubectl rollout status deployment/api",
                "kubectl set env deployment/api MAINTENANCE_MODE=false", "kubectl rollout status deployment/api",
            ]
        },
        { "systemd", ["systemctl restart pg", "systemctl restart api"] },
    };

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Theory]
    [MemberData(nameof(Presets))]
    public async Task EmergencyYes_Preset_ExactCommandLinesInPlaybookOrder(string platform, string[] expected)
    {
        await using var app = await HeldConnections.OpenAsync(shop.Sandbox.SuperuserTarget.WithDatabase("shop"), 2, "api");

        var run = await CliRun.InvokeAsync(Environment(StandIns()), Args(platform, "--yes", "--confirm-database", "shop"));

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal(expected, File.ReadAllLines(Recorded));
    }

    [Theory]
    [MemberData(nameof(Presets))]
    public async Task EmergencyDryRun_Preset_PlanShowsTheCommandsNothingRuns(string platform, string[] expected)
    {
        var run = await CliRun.InvokeAsync(Environment(StandIns()), Args(platform));

        Assert.True(run.ExitCode == 0, run.All);
        Assert.False(File.Exists(Recorded));
        var restartApp = expected.First(line => line.Contains("restart", StringComparison.Ordinal) && line.Contains("api", StringComparison.Ordinal));
        Assert.Contains(restartApp, run.Out, StringComparison.Ordinal);
        Assert.Contains("Dry run", run.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("heroku", "restart the database: (skipped: Heroku Postgres has no restart command in the Heroku CLI")]
    [InlineData("render", "maintenance on:  (skipped: the Render CLI has no maintenance switch")]
    [InlineData("systemd", "maintenance off: (skipped: systemd has no maintenance switch")]
    public async Task EmergencyDryRun_PlatformHasNoCommandForAStep_SaysSoAndAsksForTheHook(string platform, string shown)
    {
        var run = await CliRun.InvokeAsync(Environment(StandIns()), Args(platform));

        Assert.Contains(shown, run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmergencyYes_ExplicitHookOverridesThePresetsStep()
    {
        var run = await CliRun.InvokeAsync(Environment(StandIns()), [.. Args("heroku", "--yes", "--confirm-database", "shop"), "--restart-command", "heroku ps:restart web --app api"]);

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal(["heroku maintenance:on --app api", "heroku ps:restart web --app api", "heroku maintenance:off --app api"], File.ReadAllLines(Recorded));
    }

    [Fact]
    public async Task EmergencyYes_RailwayRestartFails_StopsAtRestartAppMaintenanceStaysOnSaysWhatNext()
    {
        var run = await CliRun.InvokeAsync(Environment(StandIns(failOn: "restart --service api")), Args("railway", "--yes", "--confirm-database", "shop"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Stopped at step 3 (restart-app)", run.Out, StringComparison.Ordinal);
        Assert.Contains("Restart the application by hand. Maintenance mode is still ON.", run.Out, StringComparison.Ordinal);
        Assert.Equal(
            [
                "railway variables --set MAINTENANCE_MODE=true --service api --skip-deploys",
                "railway redeploy --service api --yes",
                "railway restart --service pg --yes",
                "railway restart --service api --yes",
            ],
            File.ReadAllLines(Recorded));
    }

    [Fact]
    public async Task HealYes_RailwayPreset_RestartsTheAppAfterStepOne()
    {
        var app = await shop.Sandbox.CreateRoleAsync($"app_{Guid.NewGuid():N}"[..12], "app-pw", database: "shop");
        await using var leaked = await HeldConnections.OpenAsync(app, 2, "leaky-api");
        await Task.Delay(1200);

        var run = await CliRun.InvokeAsync(Environment(StandIns()), "heal", shop.Url, "--idle-for", "1s", "--app-role", app.User!, "--platform", "railway", "--service", "api", "--yes", "--audit-log", Audit);

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal(["railway restart --service api --yes"], File.ReadAllLines(Recorded));
    }

    [Fact]
    public async Task Emergency_PlatformWithoutService_ExitThreeNamesTheOption()
    {
        var run = await CliRun.InvokeAsync("emergency", shop.Url, "--platform", "fly", "--audit-log", Audit);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("--platform fly needs --service NAME", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Heal_HealthUrlNotHttp_ExitThreeWithoutTheQuery()
    {
        var run = await CliRun.InvokeAsync("heal", shop.Url, "--health-url", "ftp://api/health?token=secret-token", "--audit-log", Audit);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("--health-url 'ftp://api/health' is not an http(s) URL", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token", run.All, StringComparison.Ordinal);
    }

    private string[] Args(string platform, params string[] more) =>
        ["emergency", shop.Url, "--platform", platform, "--service", "api", "--database-service", "pg", "--audit-log", Audit, .. more];

    private static Dictionary<string, string> Environment(string directory) =>
        new() { ["PATH"] = $"{directory}:{System.Environment.GetEnvironmentVariable("PATH")}" };

    /// <summary>One script per platform CLI that appends its name and arguments to the log; exits 1 when its arguments contain <paramref name="failOn"/>.</summary>
    private string StandIns(string? failOn = null)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_work, "bin")).FullName;
        foreach (var tool in Tools)
        {
            var path = Path.Combine(directory, tool);
            var fail = failOn is null ? string.Empty : $"case \"$*\" in *\"{failOn}\"*) echo 'deployment failed' >&2; exit 1;; esac\n";
            File.WriteAllText(path, $"#!/bin/sh\necho \"{tool} $*\" >> '{Recorded}'\n{fail}exit 0\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        return directory;
    }
}
