using System.Text.Json;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Remediation;

/// <summary>
/// Railway's shape: the application connects as a superuser role, and PgMedic with the same URL. The
/// application's leaked sessions go; another superuser's session and a session in another database stay.
/// </summary>
public sealed class AppRoleTests : IAsyncLifetime
{
    private readonly string _audit = Path.Combine(Path.GetTempPath(), $"pgmedic-approle-{Guid.NewGuid():N}.jsonl");
    private PostgresSandbox _sandbox = null!;
    private HeldConnections _leaked = null!;
    private HeldConnections _dba = null!;
    private HeldConnections _otherDatabase = null!;
    private PgMedic.Postgres.Targets.ConnectionTarget _app = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        await _sandbox.ExecuteAsync("CREATE DATABASE railway; CREATE DATABASE other");
        _app = await _sandbox.CreateRoleAsync("railway_app", "app-pw-superuser", "SUPERUSER", database: "railway");
        var dba = await _sandbox.CreateRoleAsync("dba", "dba-pw", "SUPERUSER", database: "railway");
        _leaked = await HeldConnections.OpenAsync(_app, 3, "leaky-api");
        _dba = await HeldConnections.OpenAsync(dba, 1, "psql");
        _otherDatabase = await HeldConnections.OpenAsync(_app.WithDatabase("other"), 1, "leaky-api");
        await Task.Delay(1200);
    }

    public async Task DisposeAsync()
    {
        await _leaked.DisposeAsync();
        await _dba.DisposeAsync();
        await _otherDatabase.DisposeAsync();
        await _sandbox.DisposeAsync();
        File.Delete(_audit);
    }

    [Fact]
    public async Task HealYes_AppConnectsAsSuperuser_ExactlyItsLeakedSessionsTerminated()
    {
        var before = await ActivePids.OfAsync(_sandbox);

        var run = await CliRun.InvokeAsync("heal", _app.ToUrl(), "--idle-for", "1s", "--yes", "--audit-log", _audit, "--format", "json");

        Assert.True(run.ExitCode == 0, run.All);
        using var document = JsonDocument.Parse(run.Out);
        var steps = document.RootElement.GetProperty("steps").EnumerateArray().ToList();
        var terminated = steps.SelectMany(s => s.GetProperty("results").EnumerateArray())
            .Where(r => r.GetProperty("result").GetString() == "terminated")
            .Select(r => r.GetProperty("action").GetProperty("pid").GetInt32());
        Assert.Equal(_leaked.Pids.Order(), terminated.Order());
        var spared = steps.Where(s => s.TryGetProperty("plan", out var p) && p.ValueKind == JsonValueKind.Object)
            .SelectMany(s => s.GetProperty("plan").GetProperty("spared").EnumerateArray())
            .Select(s => (s.GetProperty("pid").GetInt32(), s.GetProperty("reason").GetString(), s.GetProperty("detail").GetString()))
            .ToHashSet();
        Assert.Contains((_dba.Pids[0], "superuser", "dba"), spared);
        Assert.Contains((_otherDatabase.Pids[0], "other-database", "other"), spared);
        await ServerState.WaitUntilGoneAsync(_sandbox, _leaked.Pids.ToHashSet());
        var after = await ActivePids.OfAsync(_sandbox);
        Assert.Equal(before.Except(_leaked.Pids).Order(), after.Intersect(before).Order());
        Assert.Contains(_dba.Pids[0], after);
        Assert.Contains(_otherDatabase.Pids[0], after);
        Assert.DoesNotContain("app-pw-superuser", run.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TerminateDryRun_AnotherAppRoleNamed_TheConnectingSuperuserIsSparedAndTheTextSaysWhy()
    {
        var run = await CliRun.InvokeAsync("terminate", _app.ToUrl(), "--state", "idle", "--idle-for", "1s", "--app-role", "someone_else", "--audit-log", _audit);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("superuser railway_app, not an application role (use --app-role railway_app or --include-superusers)", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Terminate_PlatformRoleAsAppRole_ExitThreeSaysItStaysProtected()
    {
        var run = await CliRun.InvokeAsync("terminate", _app.ToUrl(), "--state", "idle", "--app-role", "rdsadmin", "--audit-log", _audit);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("--app-role rdsadmin: that is the managed service's own administration role, always protected", run.Error, StringComparison.Ordinal);
    }
}
