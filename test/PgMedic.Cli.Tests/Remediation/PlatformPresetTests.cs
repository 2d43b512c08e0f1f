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
    private readonly string _work = Directory.CreateTempSubdirectory("pgmedic-presets-").FullName;

    private string Audit => Path.Combine(_work, "audit.jsonl");

    /// <summary>Each preset's calls with --yes, as the stand-ins record them: the tool, then one argument a line.</summary>
    public static TheoryData<string, string[]> Presets() => new()
    {
        {
            "railway",
            PlatformStandIns.Expected(
                ["railway", "variables", "--set", "MAINTENANCE_MODE=true", "--service", "api", "--skip-deploys"],
                ["railway", "redeploy", "--service", "api", "--yes"],
                ["railway", "restart", "--service", "pg", "--yes"],
                ["railway", "restart", "--service", "api", "--yes"],
                ["railway", "variables", "--set", "MAINTENANCE_MODE=false", "--service", "api", "--skip-deploys"],
                ["railway", "redeploy", "--service", "api", "--yes"])
        },
        {
            "heroku",
            PlatformStandIns.Expected(
                ["heroku", "maintenance:on", "--app", "api"],
                ["heroku", "ps:restart", "--app", "api"],
                ["heroku", "maintenance:off", "--app", "api"])
        },
        { "render", PlatformStandIns.Expected(["render", "restart", "api", "--output", "text", "--confirm"]) },
        {
            "fly",
            PlatformStandIns.Expected(
                ["fly", "secrets", "set", "MAINTENANCE_MODE=true", "--app", "api"],
                ["fly", "apps", "restart", "pg"],
                ["fly", "apps", "restart", "api"],
                ["fly", "secrets", "set", "MAINTENANCE_MODE=false", "--app", "api"])
        },
        {
            "kubernetes",
            PlatformStandIns.Expected(
                ["kubectl", "set", "env", "deployment/api", "MAINTENANCE_MODE=true"],
                ["kubectl", "rollout", "status", "deployment/api"],
                ["kubectl", "rollout", "restart", "statefulset/pg"],
                ["kubectl", "rollout", "status", "statefulset/pg"],
                ["kubectl", "rollout", "restart", "deployment/api"],
                ["kubectl", "rollout", "status", "deployment/api"],
                ["kubectl", "set", "env", "deployment/api", "MAINTENANCE_MODE=false"],
                ["kubectl", "rollout", "status", "deployment/api"])
        },
        { "systemd", PlatformStandIns.Expected(["systemctl", "restart", "pg"], ["systemctl", "restart", "api"]) },
    };

    /// <summary>Each preset's playbook as the dry run prints it: every step's command line (or why it has none), in order.</summary>
    public static TheoryData<string, string[]> PlannedLines() => new()
    {
        {
            "railway",
            [
                "  1. maintenance on:  railway variables --set \"MAINTENANCE_MODE=true\" --service api --skip-deploys && railway redeploy --service api --yes",
                "  2b. restart the database: railway restart --service pg --yes, then wait until it accepts connections",
                "  3. restart the app: railway restart --service api --yes",
                "  5. maintenance off: railway variables --set \"MAINTENANCE_MODE=false\" --service api --skip-deploys && railway redeploy --service api --yes",
            ]
        },
        {
            "heroku",
            [
                "  1. maintenance on:  heroku maintenance:on --app api",
                "  2b. restart the database: (skipped: Heroku Postgres has no restart command in the Heroku CLI (pg:reset erases the data and is never used): give a restart-database command, or ask Heroku support — --restart-database-command), then wait until it accepts connections",
                "  3. restart the app: heroku ps:restart --app api",
                "  5. maintenance off: heroku maintenance:off --app api",
            ]
        },
        {
            "render",
            [
                "  1. maintenance on:  (skipped: the Render CLI has no maintenance switch: give a maintenance-on command (your application's own flag) — --maintenance-on-command)",
                "  2b. restart the database: (skipped: the Render CLI cannot restart a managed Render Postgres database: give a restart-database command, or restart it from the dashboard — --restart-database-command), then wait until it accepts connections",
                "  3. restart the app: render restart api --output text --confirm",
                "  5. maintenance off: (skipped: the Render CLI has no maintenance switch: give a maintenance-off command (your application's own flag) — --maintenance-off-command)",
            ]
        },
        {
            "fly",
            [
                "  1. maintenance on:  fly secrets set MAINTENANCE_MODE=true --app api",
                "  2b. restart the database: fly apps restart pg, then wait until it accepts connections",
                "  3. restart the app: fly apps restart api",
                "  5. maintenance off: fly secrets set MAINTENANCE_MODE=false --app api",
            ]
        },
        {
            "kubernetes",
            [
                "  1. maintenance on:  kubectl set env deployment/api MAINTENANCE_MODE=true && kubectl rollout status deployment/api",
                "  2b. restart the database: kubectl rollout restart statefulset/pg && kubectl rollout status statefulset/pg, then wait until it accepts connections",
                "  3. restart the app: kubectl rollout restart deployment/api && kubectl rollout status deployment/api",
                "  5. maintenance off: kubectl set env deployment/api MAINTENANCE_MODE=false && kubectl rollout status deployment/api",
            ]
        },
        {
            "systemd",
            [
                "  1. maintenance on:  (skipped: systemd has no maintenance switch: give a maintenance-on command (your application's own flag) — --maintenance-on-command)",
                "  2b. restart the database: systemctl restart pg, then wait until it accepts connections",
                "  3. restart the app: systemctl restart api",
                "  5. maintenance off: (skipped: systemd has no maintenance switch: give a maintenance-off command (your application's own flag) — --maintenance-off-command)",
            ]
        },
    };

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Theory]
    [MemberData(nameof(Presets))]
    public async Task EmergencyYes_Preset_ExactCommandLinesInPlaybookOrder(string platform, string[] expected)
    {
        await using var app = await HeldConnections.OpenAsync(shop.Sandbox.SuperuserTarget.WithDatabase("shop"), 2, "api");
        var tools = new PlatformStandIns(_work);

        var run = await CliRun.InvokeAsync(tools.Environment, Args(platform, "--yes", "--confirm-database", "shop"));

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal(expected, tools.Calls());
    }

    [Theory]
    [MemberData(nameof(PlannedLines))]
    public async Task EmergencyDryRun_Preset_PlanShowsEveryCommandLineInOrderNothingRuns(string platform, string[] expected)
    {
        var tools = new PlatformStandIns(_work);

        var run = await CliRun.InvokeAsync(tools.Environment, Args(platform));

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Empty(tools.Calls());
        Assert.Contains("Dry run", run.Out, StringComparison.Ordinal);
        var shown = run.Lines.Where(line => System.Text.RegularExpressions.Regex.IsMatch(line, @"^  (1|2b|3|5)\. ")).ToList();
        Assert.Equal(expected, shown);
    }

    [Fact]
    public async Task EmergencyYes_ExplicitHookOverridesThePresetsStep()
    {
        var tools = new PlatformStandIns(_work);

        var run = await CliRun.InvokeAsync(tools.Environment, [.. Args("heroku", "--yes", "--confirm-database", "shop"), "--restart-command", "heroku ps:restart web --app api"]);

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal(
            PlatformStandIns.Expected(["heroku", "maintenance:on", "--app", "api"], ["heroku", "ps:restart", "web", "--app", "api"], ["heroku", "maintenance:off", "--app", "api"]),
            tools.Calls());
    }

    [Fact]
    public async Task EmergencyYes_RailwayRestartFails_StopsAtRestartAppMaintenanceStaysOnSaysWhatNext()
    {
        var tools = new PlatformStandIns(_work, failOn: "restart --service api");

        var run = await CliRun.InvokeAsync(tools.Environment, Args("railway", "--yes", "--confirm-database", "shop"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Stopped at step 3 (restart-app)", run.Out, StringComparison.Ordinal);
        Assert.Contains("Restart the application by hand. Maintenance mode is still ON.", run.Out, StringComparison.Ordinal);
        Assert.Equal(
            PlatformStandIns.Expected(
                ["railway", "variables", "--set", "MAINTENANCE_MODE=true", "--service", "api", "--skip-deploys"],
                ["railway", "redeploy", "--service", "api", "--yes"],
                ["railway", "restart", "--service", "pg", "--yes"],
                ["railway", "restart", "--service", "api", "--yes"]),
            tools.Calls());
    }

    [Fact]
    public async Task EmergencyYes_ServiceNameWithASpace_ReachesTheToolAsOneArgument()
    {
        var tools = new PlatformStandIns(_work);

        var run = await CliRun.InvokeAsync(tools.Environment, "emergency", shop.Url, "--platform", "heroku", "--service", "shop api", "--yes", "--confirm-database", "shop", "--audit-log", Audit);

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal(
            PlatformStandIns.Expected(["heroku", "maintenance:on", "--app", "shop api"], ["heroku", "ps:restart", "--app", "shop api"], ["heroku", "maintenance:off", "--app", "shop api"]),
            tools.Calls());
    }

    [Fact]
    public async Task HealYes_RailwayPreset_RestartsTheAppAfterStepOne()
    {
        var app = await shop.Sandbox.CreateRoleAsync($"app_{Guid.NewGuid():N}"[..12], "app-pw", database: "shop");
        await using var leaked = await HeldConnections.OpenAsync(app, 2, "leaky-api");
        await Task.Delay(1200);
        var tools = new PlatformStandIns(_work);

        var run = await CliRun.InvokeAsync(tools.Environment, "heal", shop.Url, "--idle-for", "1s", "--app-role", app.User!, "--platform", "railway", "--service", "api", "--yes", "--audit-log", Audit);

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal(PlatformStandIns.Expected(["railway", "restart", "--service", "api", "--yes"]), tools.Calls());
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
}
