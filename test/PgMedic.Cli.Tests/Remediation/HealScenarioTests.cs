using System.Text.Json;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Remediation;

/// <summary>
/// The scenario on a real server: leaked idle sessions, a transaction left open, a superuser
/// session, a session in another database, a protected application and a real walsender.
/// </summary>
public sealed class HealScenarioTests : IAsyncLifetime
{
    private PostgresSandbox _sandbox = null!;
    private HeldConnections _leaked = null!;
    private HeldConnections _idleInTransaction = null!;
    private HeldConnections _survivors = null!;
    private WalReceiver _walReceiver = null!;
    private string _auditLog = null!;

    public async Task InitializeAsync()
    {
        // 15 − 3 reserved = 12 usable; the leak and the open transaction fill 9 of them.
        _sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { MaxConnections = 15, SuperuserReservedConnections = 3, CreatePgStatStatements = false });
        await _sandbox.ExecuteAsync("CREATE DATABASE shop; CREATE DATABASE other");
        var app = await _sandbox.CreateRoleAsync("app", "app-secret-pw", database: "shop");
        _leaked = await HeldConnections.OpenAsync(app, 8, "leaky-api");
        _idleInTransaction = await HeldConnections.OpenAsync(app, 1, "forgot-commit");
        await _idleInTransaction.ExecuteOnEachAsync("BEGIN; SELECT 1;");
        _survivors = await HeldConnections.OpenAsync(_sandbox.SuperuserTarget.WithDatabase("shop"), 1, "admin-console");
        await _survivors.AddAsync(app.WithDatabase("other"), 1, "other-app");
        await _survivors.AddAsync(app, 1, "pg_dump");
        _walReceiver = await WalReceiver.StartAsync(_sandbox);
        _auditLog = Path.Combine(Path.GetTempPath(), $"pgmedic-audit-{Guid.NewGuid():N}.jsonl");
        await Task.Delay(1200);
    }

    public async Task DisposeAsync()
    {
        await _walReceiver.DisposeAsync();
        await _leaked.DisposeAsync();
        await _idleInTransaction.DisposeAsync();
        await _survivors.DisposeAsync();
        await _sandbox.DisposeAsync();
        File.Delete(_auditLog);
    }

    [Fact]
    public async Task HealYes_LeakedAndIdleInTransactionGone_EveryOtherSessionSurvives()
    {
        var before = await ActivePids.OfAsync(_sandbox);
        var url = _sandbox.SuperuserTarget.WithDatabase("shop").ToUrl();

        var run = await CliRun.InvokeAsync("heal", url, "--idle-for", "1s", "--iit-for", "1s", "--app-role", "app", "--yes", "--audit-log", _auditLog, "--format", "json");

        Assert.True(run.ExitCode == 0, run.All);
        var expectedGone = _leaked.Pids.Concat(_idleInTransaction.Pids).ToHashSet();
        await ServerState.WaitUntilGoneAsync(_sandbox, expectedGone);
        var after = await ActivePids.OfAsync(_sandbox);
        Assert.Equal(before.Except(expectedGone).Order(), after.Intersect(before).Order());
        Assert.All(_survivors.Pids, pid => Assert.Contains(pid, after));

        using var json = JsonDocument.Parse(run.Out);
        var steps = json.RootElement.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(["idle-in-transaction", "idle", "lock-chain-heads"], steps.Select(s => s.GetProperty("name").GetString()));
        Assert.Equal(_idleInTransaction.Pids, Terminated(steps[0]));
        Assert.Equal(_leaked.Pids.Order(), Terminated(steps[1]).Order());
        Assert.False(steps[0].GetProperty("verification").GetProperty("healthy").GetBoolean(), "after step 1 the leak still saturates the server");
        Assert.True(steps[1].GetProperty("verification").GetProperty("healthy").GetBoolean());
        Assert.Equal("skipped", steps[2].GetProperty("status").GetString());
        var spared = steps[1].GetProperty("plan").GetProperty("spared").EnumerateArray().Select(s => (s.GetProperty("reason").GetString(), s.GetProperty("detail").GetString())).ToList();
        Assert.Contains(spared, w => w.Item1 == "superuser");
        Assert.Contains(("other-database", "other"), spared);
        Assert.Contains(("protected-application", "pg_dump"), spared);
    }

    [Fact]
    public async Task HealYes_AuditLog_EveryActionBeforeAndAfterWithResultAndNoPassword()
    {
        var url = _sandbox.SuperuserTarget.WithDatabase("shop").ToUrl();

        var run = await CliRun.InvokeAsync("heal", url, "--idle-for", "1s", "--iit-for", "1s", "--app-role", "app", "--yes", "--audit-log", _auditLog);

        Assert.Equal(0, run.ExitCode);
        var lines = await File.ReadAllLinesAsync(_auditLog);
        var records = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var finished = records.Where(r => r.GetProperty("event").GetString() == "action-finished").ToList();
        var started = records.Where(r => r.GetProperty("event").GetString() == "action-started").ToList();
        Assert.Equal(9, finished.Count);
        Assert.Equal(finished.Select(Pid).Order(), started.Select(Pid).Order());
        Assert.All(finished, r => Assert.Equal("terminated", r.GetProperty("result").GetString()));
        Assert.All(records, r => Assert.Equal($"postgres://postgres:***@127.0.0.1:{_sandbox.Port}/shop", r.GetProperty("target").GetString()));
        Assert.Contains(records, r => r.GetProperty("event").GetString() == "plan");
        Assert.Contains(records, r => r.GetProperty("event").GetString() == "verification");
        var text = string.Join('\n', lines);
        Assert.DoesNotContain(_sandbox.SuperuserPassword, text, StringComparison.Ordinal);
        Assert.DoesNotContain("app-secret-pw", text, StringComparison.Ordinal);
        Assert.Contains("\"operator\":", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Heal_WithoutYes_DryRunChangesNothing()
    {
        var before = await ActivePids.OfAsync(_sandbox);

        var run = await CliRun.InvokeAsync("heal", _sandbox.SuperuserTarget.WithDatabase("shop").ToUrl(), "--idle-for", "1s", "--iit-for", "1s", "--app-role", "app", "--audit-log", _auditLog);
        var terminate = await CliRun.InvokeAsync("terminate", _sandbox.SuperuserTarget.WithDatabase("shop").ToUrl(), "--state", "idle", "--idle-for", "1s", "--app-role", "app", "--audit-log", _auditLog);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(0, terminate.ExitCode);
        Assert.Contains("Dry run: nothing was changed", run.Out, StringComparison.Ordinal);
        Assert.Contains("Dry run: nothing was changed", terminate.Out, StringComparison.Ordinal);
        Assert.Contains(_leaked.Pids[0].ToString(System.Globalization.CultureInfo.InvariantCulture), run.Out, StringComparison.Ordinal);
        Assert.Equal(before.Order(), (await ActivePids.OfAsync(_sandbox)).Order());
        Assert.False(File.Exists(_auditLog), "a dry run writes no audit records");
    }

    [Fact]
    public async Task Report_AfterHeal_TimelineRootCauseNumbersAndChecklist()
    {
        var url = _sandbox.SuperuserTarget.WithDatabase("shop").ToUrl();
        var heal = await CliRun.InvokeAsync("heal", url, "--idle-for", "1s", "--iit-for", "1s", "--app-role", "app", "--yes", "--audit-log", _auditLog);
        Assert.Equal(0, heal.ExitCode);
        var file = Path.Combine(Path.GetTempPath(), $"pgmedic-report-{Guid.NewGuid():N}.md");

        var report = await CliRun.InvokeAsync("report", url, "--audit-log", _auditLog, "--since", "10m", "--output", file);
        var json = await CliRun.InvokeAsync("report", "--audit-log", _auditLog, "--format", "json");

        Assert.Equal(0, report.ExitCode);
        var text = await File.ReadAllTextAsync(file);
        File.Delete(file);
        Assert.Contains("## Root cause (as far as the evidence shows)\n\nleak suspect: application 'leaky-api' (user app) holds 8 connections idle", text, StringComparison.Ordinal);
        Assert.Contains("- **Sessions terminated:** 9 (leaky-api: 8, forgot-commit: 1)", text, StringComparison.Ordinal);
        Assert.Contains("| finding | critical connection-saturation:", text, StringComparison.Ordinal);
        Assert.Contains("| action | terminate pid " + _leaked.Pids[0], text, StringComparison.Ordinal);
        Assert.Contains("| recovery |", text, StringComparison.Ordinal);
        Assert.Contains("| client connections | 12 | 3 |", text, StringComparison.Ordinal);
        Assert.Contains("- [x] **Review connection pool settings** — server now:", text, StringComparison.Ordinal);
        var leakLine = text.Split('\n').Single(l => l.Contains("**Audit code for connection leaks**", StringComparison.Ordinal));
        Assert.StartsWith("- [x]", leakLine, StringComparison.Ordinal);
        Assert.Contains("- open: **Implement connection pooling best practices** — set idle_in_transaction_session_timeout", text, StringComparison.Ordinal);
        Assert.Contains("- open: **Add connection metrics to dashboard** — nothing in the audit log shows a monitor", text, StringComparison.Ordinal);
        Assert.Contains("leaky-api", leakLine, StringComparison.Ordinal);
        Assert.Contains("forgot-commit", leakLine, StringComparison.Ordinal);
        Assert.DoesNotContain(_sandbox.SuperuserPassword, text, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json.Out);
        Assert.Equal(9, document.RootElement.GetProperty("sessionsTerminated").GetInt32());
        Assert.True(document.RootElement.GetProperty("detectionToRecoverySeconds").GetDouble() >= 0);
        Assert.True(document.RootElement.GetProperty("recovery").GetProperty("verified").GetBoolean());
        Assert.Equal("leaky-api", document.RootElement.GetProperty("rootCause").GetProperty("application").GetString());
    }

    [Fact]
    public async Task Report_NoAuditLog_ExitThreeSaysWhere()
    {
        var run = await CliRun.InvokeAsync("report", "--audit-log", Path.Combine(Path.GetTempPath(), "pgmedic-no-such-audit.jsonl"));

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("no audit log at", run.Error, StringComparison.Ordinal);
    }

    private static IEnumerable<int> Terminated(JsonElement step) =>
        step.GetProperty("results").EnumerateArray()
            .Where(r => r.GetProperty("result").GetString() == "terminated")
            .Select(r => r.GetProperty("action").GetProperty("pid").GetInt32());

    private static int Pid(JsonElement record) => record.GetProperty("action").GetProperty("pid").GetInt32();
}
