using System.Globalization;
using System.Text.Json;
using Npgsql;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Reporting;

/// <summary>
/// The issue's incident on a real server: a migration holds a table lock in an open transaction and four
/// 'api' queries queue behind it. A real <c>emergency</c> run, then <c>report</c> from its audit log.
/// </summary>
public sealed class ReportAfterEmergencyTests : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("pgmedic-report-").FullName;
    private readonly List<Task> _waiting = [];
    private PostgresSandbox _sandbox = null!;
    private HeldConnections _migration = null!;
    private HeldConnections _api = null!;

    private string AuditLog => Path.Combine(_work, "audit.jsonl");

    private string HookLog => Path.Combine(_work, "hooks.log");

    private string Url => _sandbox.SuperuserTarget.WithDatabase("shop").ToUrl();

    public async Task InitializeAsync()
    {
        _sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        await _sandbox.ExecuteAsync("CREATE DATABASE shop");
        var app = await _sandbox.CreateRoleAsync("app", "app-pw", database: "shop");
        await _sandbox.ExecuteAsync("CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO orders VALUES (1); GRANT ALL ON orders TO app", "shop");
        _migration = await HeldConnections.OpenAsync(app, 1, "migration");
        await _migration.ExecuteOnEachAsync("BEGIN; LOCK TABLE orders IN ACCESS EXCLUSIVE MODE");
        _api = await HeldConnections.OpenAsync(app, 4, "api");
        _waiting.AddRange(_api.Connections.Select(QueueBehindTheLockAsync));

        // Past diagnose's 5 s: the chain is a warning finding, not just information.
        await Task.Delay(TimeSpan.FromSeconds(5.5));
    }

    public async Task DisposeAsync()
    {
        await _migration.DisposeAsync();
        await Task.WhenAny(Task.WhenAll(_waiting), Task.Delay(TimeSpan.FromSeconds(10)));
        await _api.DisposeAsync();
        await _sandbox.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task Report_AfterEmergencyStoppedAtRestartApp_SaysStoppedMaintenanceOnNotRecoveredAndTheMigrationIsTheCause()
    {
        var emergency = await EmergencyAsync("echo 'deploy/api not found' >&2; exit 7");
        Assert.True(emergency.ExitCode == 2, emergency.All);
        Assert.Contains("Maintenance mode is still ON", emergency.Out, StringComparison.Ordinal);

        var report = await CliRun.InvokeAsync("report", "--audit-log", AuditLog, "--since", "10m");
        var json = await CliRun.InvokeAsync("report", "--audit-log", AuditLog, "--since", "10m", "--format", "json");

        Assert.True(report.ExitCode == 0, report.All);
        var text = report.Out;
        Assert.Contains("- **Recovery:** not verified: the emergency playbook stopped at restart-app", text, StringComparison.Ordinal);
        Assert.DoesNotContain("verified recovery", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("| recovery |", text, StringComparison.Ordinal);
        Assert.Matches(@"- \*\*Emergency playbook\*\* \([0-9:]+ UTC\): \*\*stopped at restart-app\*\* — The hook exited 7\.", text);
        Assert.Contains("  - maintenance mode: **still ON**: its hook turned it on and nothing turned it off", text, StringComparison.Ordinal);
        Assert.Contains("| stopped | emergency stopped at restart-app: The hook exited 7.", text, StringComparison.Ordinal);

        // The blanket terminate took more 'api' sessions than 'migration' ones: the cause is still the lock's holder.
        Assert.Contains("- **Sessions terminated:** 5 (api: 4, migration: 1)", text, StringComparison.Ordinal);
        var head = _migration.Pids[0].ToString(CultureInfo.InvariantCulture);
        Assert.Contains($"## Root cause (as far as the evidence shows)\n\napplication 'migration' (pid {head}) held the lock the other sessions queued behind — pid {head} blocks 4 session(s)", text, StringComparison.Ordinal);

        using var document = JsonDocument.Parse(json.Out);
        var root = document.RootElement;
        Assert.Equal("migration", root.GetProperty("rootCause").GetProperty("application").GetString());
        Assert.Equal("blocking-chain", root.GetProperty("rootCause").GetProperty("finding").GetString());
        Assert.False(root.GetProperty("recovery").GetProperty("verified").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("detectionToRecoverySeconds").ValueKind);
        var playbook = root.GetProperty("playbooks").EnumerateArray().Single();
        Assert.Equal("stopped", playbook.GetProperty("ending").GetString());
        Assert.Equal("restart-app", playbook.GetProperty("stoppedAt").GetString());
        Assert.Equal("on", playbook.GetProperty("maintenance").GetString());
    }

    [Fact]
    public async Task Report_AfterEmergencyThatFinished_ReportsVerifiedRecoveryTimeAndMaintenanceOff()
    {
        var emergency = await EmergencyAsync($"echo restart >> {HookLog}");
        Assert.True(emergency.ExitCode == 0, emergency.All);

        var report = await CliRun.InvokeAsync("report", "--audit-log", AuditLog, "--since", "10m");
        var json = await CliRun.InvokeAsync("report", "--audit-log", AuditLog, "--since", "10m", "--format", "json");

        var text = report.Out;
        Assert.Matches(@"- \*\*Detection to verified recovery:\*\* \d+\.\d s", text);
        Assert.Contains("| recovery | verified healthy", text, StringComparison.Ordinal);
        Assert.Matches(@"- \*\*Emergency playbook\*\* \([0-9:]+ UTC\): finished\n  - maintenance mode: turned on, then off again", text);
        Assert.Contains("application 'migration' (pid ", text, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json.Out);
        var root = document.RootElement;
        Assert.True(root.GetProperty("recovery").GetProperty("verified").GetBoolean());
        Assert.True(root.GetProperty("detectionToRecoverySeconds").GetDouble() >= 0);
        Assert.Equal("finished", root.GetProperty("playbooks")[0].GetProperty("ending").GetString());
        Assert.Equal("off", root.GetProperty("playbooks")[0].GetProperty("maintenance").GetString());
    }

    private Task<CliRun> EmergencyAsync(string restart) => CliRun.InvokeAsync(
        "emergency", Url, "--yes", "--confirm-database", "shop",
        "--maintenance-on-command", $"echo on >> {HookLog}",
        "--restart-command", restart,
        "--maintenance-off-command", $"echo off >> {HookLog}",
        "--audit-log", AuditLog);

    private static async Task QueueBehindTheLockAsync(NpgsqlConnection connection)
    {
        try
        {
            await using var query = new NpgsqlCommand("SELECT count(*) FROM orders", connection);
            await query.ExecuteScalarAsync();
        }
        catch (NpgsqlException)
        {
            // Terminated by the emergency playbook: that is the point.
        }
    }
}
