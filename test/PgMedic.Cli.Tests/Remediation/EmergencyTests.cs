using System.Text.Json;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Remediation;

public sealed class EmergencyTests : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("pgmedic-emergency-").FullName;
    private PostgresSandbox _sandbox = null!;
    private HeldConnections _sessions = null!;

    private string HookLog => Path.Combine(_work, "hooks.log");

    private string AuditLog => Path.Combine(_work, "audit.jsonl");

    public async Task InitializeAsync()
    {
        _sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        await _sandbox.ExecuteAsync("CREATE DATABASE shop");
        var app = await _sandbox.CreateRoleAsync("app", "app-pw", database: "shop");
        _sessions = await HeldConnections.OpenAsync(app, 4, "api");
    }

    public async Task DisposeAsync()
    {
        await _sessions.DisposeAsync();
        await _sandbox.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task EmergencyYes_HooksWriteToFile_PlaybookInOrderAndSessionsGone()
    {
        var run = await CliRun.InvokeAsync(
            "emergency", _sandbox.SuperuserTarget.WithDatabase("shop").ToUrl(), "--yes", "--confirm-database", "shop",
            "--maintenance-on-command", $"echo \"on $MAINTENANCE_MODE $PGMEDIC_DATABASE\" >> {HookLog}",
            "--restart-command", $"echo \"restart after $PGMEDIC_TERMINATED terminated\" >> {HookLog}",
            "--maintenance-off-command", $"echo \"off $MAINTENANCE_MODE\" >> {HookLog}",
            "--audit-log", AuditLog);

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal(["on true shop", "restart after 4 terminated", "off false"], await File.ReadAllLinesAsync(HookLog));
        await ServerState.WaitUntilGoneAsync(_sandbox, _sessions.Pids);
        var events = (await File.ReadAllLinesAsync(AuditLog)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var order = events.Where(e => e.GetProperty("event").GetString() is "hook-finished" or "action-finished")
            .Select(e => e.GetProperty("step").GetString()).Distinct().ToList();
        Assert.Equal(["maintenance-on", "terminate", "restart-app", "maintenance-off"], order);
        Assert.Contains("Emergency playbook finished", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmergencyYes_EveryClientSessionSpared_HooksRunButNoSuccessClaimedExitOneNamesTheOption()
    {
        var run = await CliRun.InvokeAsync(
            "emergency", _sandbox.SuperuserTarget.WithDatabase("shop").ToUrl(), "--yes", "--confirm-database", "shop",
            "--protect-application", "api",
            "--restart-command", $"echo restart >> {HookLog}",
            "--audit-log", AuditLog);

        Assert.True(run.ExitCode == 1, run.All);
        Assert.Equal(["restart"], await File.ReadAllLinesAsync(HookLog));
        Assert.DoesNotContain("every step succeeded", run.Out, StringComparison.Ordinal);
        var ending = Assert.Single(run.Lines, l => l.StartsWith("Emergency playbook finished", StringComparison.Ordinal));
        Assert.Equal("Emergency playbook finished, but it terminated nothing: every client session was spared (4, protected applications). Next: drop the --protect-user/--protect-application that covers them (the built-in list — replication and backup tools — stays protected).", ending);
        Assert.DoesNotContain(run.Lines, l => l.Contains("(, ", StringComparison.Ordinal));
        Assert.Equal(_sessions.Pids.Order(), (await ActivePids.OfAsync(_sandbox)).Intersect(_sessions.Pids).Order());

        var json = await CliRun.InvokeAsync(
            "emergency", _sandbox.SuperuserTarget.WithDatabase("shop").ToUrl(), "--yes", "--confirm-database", "shop",
            "--protect-application", "api", "--restart-command", "true", "--audit-log", AuditLog, "--format", "json");
        using var document = JsonDocument.Parse(json.Out);
        Assert.Equal(1, json.ExitCode);
        Assert.Equal(1, document.RootElement.GetProperty("exitCode").GetInt32());
        Assert.False(document.RootElement.GetProperty("dryRun").GetBoolean());
    }

    [Fact]
    public async Task EmergencyYes_RestartHookFails_StopsWithReportExitTwoAndMaintenanceStaysOn()
    {
        var run = await CliRun.InvokeAsync(
            "emergency", _sandbox.SuperuserTarget.WithDatabase("shop").ToUrl(), "--yes", "--confirm-database", "shop",
            "--maintenance-on-command", $"echo on >> {HookLog}",
            "--restart-command", "echo 'deploy/api not found' >&2; exit 7",
            "--maintenance-off-command", $"echo off >> {HookLog}",
            "--audit-log", AuditLog);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(["on"], await File.ReadAllLinesAsync(HookLog));
        Assert.Contains("Stopped at step 3 (restart-app)", run.Out, StringComparison.Ordinal);
        Assert.Contains("The hook exited 7", run.Out, StringComparison.Ordinal);
        Assert.Contains("Maintenance mode is still ON", run.Out, StringComparison.Ordinal);
        Assert.Contains("deploy/api not found", await File.ReadAllTextAsync(AuditLog), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmergencyYes_WrongConfirmDatabase_ExitThreeNothingRun()
    {
        var run = await CliRun.InvokeAsync(
            "emergency", _sandbox.SuperuserTarget.WithDatabase("shop").ToUrl(), "--yes", "--confirm-database", "shopp",
            "--maintenance-on-command", $"echo on >> {HookLog}", "--audit-log", AuditLog);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("--confirm-database shop", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(HookLog));
        Assert.All(_sessions.Pids, pid => Assert.Contains(pid, ActivePids.OfAsync(_sandbox).Result));
    }

    [Fact]
    public async Task Emergency_WithoutYes_ShowsPlaybookOnly()
    {
        var run = await CliRun.InvokeAsync("emergency", _sandbox.SuperuserTarget.WithDatabase("shop").ToUrl(), "--restart-command", $"echo restart >> {HookLog}");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("2. terminate 4 client session(s) of shop", run.Out, StringComparison.Ordinal);
        Assert.Contains("Dry run", run.Out, StringComparison.Ordinal);
        Assert.False(File.Exists(HookLog));
    }
}
