using System.Text.Json;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Remediation;

/// <summary>
/// <c>pgmedic heal --yes</c> as its own process — the native executable under test.sh — on a server a leak
/// has nearly filled: the leaked sessions go, the superuser's stays, and the audit log records it.
/// </summary>
public sealed class HealProcessTests : IAsyncLifetime
{
    private PostgresSandbox _sandbox = null!;
    private HeldConnections _leaked = null!;
    private HeldConnections _admin = null!;
    private readonly string _auditLog = Path.Combine(Path.GetTempPath(), $"pgmedic-audit-{Guid.NewGuid():N}.jsonl");

    public async Task InitializeAsync()
    {
        // 10 − 3 reserved = 7 usable; the leak holds 6 of them.
        _sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { MaxConnections = 10, SuperuserReservedConnections = 3, CreatePgStatStatements = false });
        var app = await _sandbox.CreateRoleAsync("app", "app-secret-pw");
        _leaked = await HeldConnections.OpenAsync(app, 5, "leaky-api");
        _admin = await HeldConnections.OpenAsync(_sandbox.SuperuserTarget, 1, "admin-console");
        await Task.Delay(1200);
    }

    public async Task DisposeAsync()
    {
        await _leaked.DisposeAsync();
        await _admin.DisposeAsync();
        await _sandbox.DisposeAsync();
        File.Delete(_auditLog);
    }

    [Fact]
    public async Task HealProcess_Yes_LeakTerminatedSuperuserSparedAudited()
    {
        using var heal = PgMedicProcess.Start(
            new Dictionary<string, string> { ["DATABASE_URL"] = _sandbox.SuperuserTarget.ToUrl() },
            "heal", "--idle-for", "1s", "--iit-for", "1s", "--app-role", "app", "--yes", "--audit-log", _auditLog, "--format", "json");

        var exitCode = await heal.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 0, heal.Output);
        await ServerState.WaitUntilGoneAsync(_sandbox, _leaked.Pids);
        var after = await ActivePids.OfAsync(_sandbox);
        Assert.Contains(_admin.Pids[0], after);
        using var json = JsonDocument.Parse(heal.Output);
        var idle = json.RootElement.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "idle");
        Assert.True(idle.GetProperty("verification").GetProperty("healthy").GetBoolean(), heal.Output);
        var audit = await File.ReadAllTextAsync(_auditLog);
        Assert.Contains("\"action-finished\"", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(_sandbox.SuperuserPassword, heal.Output + audit, StringComparison.Ordinal);
        Assert.DoesNotContain("app-secret-pw", heal.Output + audit, StringComparison.Ordinal);
    }
}
