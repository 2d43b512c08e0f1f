using System.Text.Json;
using Npgsql;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Remediation;

public sealed class TerminateAndCancelTests : IDisposable
{
    private readonly string _audit = Path.Combine(Path.GetTempPath(), $"pgmedic-audit-{Guid.NewGuid():N}.jsonl");

    public void Dispose() => File.Delete(_audit);

    [Fact]
    public async Task TerminateBlockingYes_LockChain_OnlyHeadTerminatedAndWaitersComplete()
    {
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        await sandbox.ExecuteAsync("CREATE TABLE accounts (id int PRIMARY KEY, balance int); INSERT INTO accounts VALUES (1, 100)");
        await using var head = await HeldConnections.OpenAsync(sandbox.SuperuserTarget, 1, "stuck-migration");
        await head.ExecuteOnEachAsync("BEGIN; UPDATE accounts SET balance = 0 WHERE id = 1;");
        await using var waiters = await HeldConnections.OpenAsync(sandbox.SuperuserTarget, 3, "payments-api");
        var updates = waiters.Connections.Select(c => new NpgsqlCommand("UPDATE accounts SET balance = balance + 1 WHERE id = 1", c).ExecuteNonQueryAsync()).ToList();
        await ServerState.WaitUntilAsync(sandbox, "(SELECT count(*) FROM pg_stat_activity WHERE application_name = 'payments-api' AND wait_event_type = 'Lock') = 3");
        await Task.Delay(600);

        var run = await CliRun.InvokeAsync("terminate", sandbox.SuperuserTarget.ToUrl(), "--blocking", "--waiting-for", "500ms", "--include-superusers", "--yes", "--audit-log", _audit, "--format", "json");

        Assert.True(run.ExitCode == 0, run.All);
        var rowsUpdated = await Task.WhenAll(updates).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(rowsUpdated, rows => Assert.Equal(1, rows));
        using var json = JsonDocument.Parse(run.Out);
        var results = json.RootElement.GetProperty("steps")[0].GetProperty("results").EnumerateArray().ToList();
        var only = Assert.Single(results);
        Assert.Equal(head.Pids[0], only.GetProperty("action").GetProperty("pid").GetInt32());
        Assert.Equal("terminated", only.GetProperty("result").GetString());
        Assert.All(waiters.Connections, c => Assert.Equal(System.Data.ConnectionState.Open, c.State));
        await using var check = await PostgresSandbox.OpenAsync(sandbox.SuperuserTarget);
        Assert.Equal(103, await new NpgsqlCommand("SELECT balance FROM accounts WHERE id = 1", check).ExecuteScalarAsync());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-5")]
    public async Task Terminate_PidNotAPid_ExitThreeOneLineNamingIt(string pid)
    {
        var run = await CliRun.InvokeAsync("terminate", "postgres://app@127.0.0.1:1/shop", "--blocking", "--pid", pid);

        Assert.Equal(3, run.ExitCode);
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"--pid '{pid}' is not a backend PID", line, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancelYes_LongQuery_CancelledAndSessionStaysConnected()
    {
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        var app = await sandbox.CreateRoleAsync("reporter", "reporter-pw");
        await using var held = await HeldConnections.OpenAsync(app, 1, "nightly-report");
        var sleeping = new NpgsqlCommand("SELECT pg_sleep(120)", held.Connections[0]).ExecuteNonQueryAsync();
        await ServerState.WaitUntilAsync(sandbox, "EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'nightly-report' AND wait_event = 'PgSleep')");
        await Task.Delay(600);

        var run = await CliRun.InvokeAsync("cancel", sandbox.SuperuserTarget.ToUrl(), "--running-for", "500ms", "--yes", "--audit-log", _audit);

        Assert.True(run.ExitCode == 0, run.All);
        var error = await Assert.ThrowsAsync<PostgresException>(() => sleeping);
        Assert.Equal(PostgresErrorCodes.QueryCanceled, error.SqlState);
        Assert.Equal(1, await new NpgsqlCommand("SELECT 1", held.Connections[0]).ExecuteScalarAsync());
        Assert.Contains("cancelled", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TerminateYes_EveryMatchASuperuserSession_ExitOneSaysWhyAndTheNextStepNothingChanged()
    {
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        await using var app = await HeldConnections.OpenAsync(sandbox.SuperuserTarget, 2, "railway-api");
        await Task.Delay(1100);
        var before = await ActivePids.OfAsync(sandbox);
        string[] args = ["terminate", sandbox.SuperuserTarget.ToUrl(), "--state", "idle", "--idle-for", "1s", "--application", "railway-api", "--app-role", "app", "--yes", "--audit-log", _audit];

        var table = await CliRun.InvokeAsync(args);
        var json = await CliRun.InvokeAsync([.. args, "--format", "json"]);

        Assert.Equal(1, table.ExitCode);
        Assert.Contains("Nothing done: every matching session was spared (2, superusers' sessions). Next: re-run with --app-role postgres if those superuser sessions are the application's", table.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Dry run", table.Out, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json.Out);
        Assert.Equal(("nothing-to-do", false, 1), (document.RootElement.GetProperty("outcome").GetString(), document.RootElement.GetProperty("dryRun").GetBoolean(), document.RootElement.GetProperty("exitCode").GetInt32()));
        Assert.Equal(before.Order(), (await ActivePids.OfAsync(sandbox)).Order());
    }

    [Fact]
    public async Task TerminateYes_NothingMatches_ExitZeroNothingToDo()
    {
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });

        var run = await CliRun.InvokeAsync("terminate", sandbox.SuperuserTarget.ToUrl(), "--state", "idle-in-transaction", "--idle-for", "1s", "--yes", "--audit-log", _audit);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Nothing to do: no session matched.", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Dry run", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TerminateYes_AsPgSignalBackendRole_TerminatesAppSessionsAndReportsDeniedSuperuser()
    {
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        var app = await sandbox.CreateRoleAsync("app", "app-pw");
        var operatorRole = await sandbox.CreateRoleAsync("oncall", "oncall-pw");
        await sandbox.ExecuteAsync("GRANT pg_signal_backend TO oncall; GRANT pg_read_all_stats TO oncall");
        await using var leaked = await HeldConnections.OpenAsync(app, 2, "leaky-api");
        await using var admin = await HeldConnections.OpenAsync(sandbox.SuperuserTarget, 1, "leaky-api");
        await Task.Delay(1100);

        var run = await CliRun.InvokeAsync("terminate", operatorRole.ToUrl(), "--state", "idle", "--idle-for", "1s", "--application", "leaky-api", "--include-superusers", "--yes", "--audit-log", _audit, "--format", "json");

        Assert.Equal(1, run.ExitCode);
        using var json = JsonDocument.Parse(run.Out);
        var results = json.RootElement.GetProperty("steps")[0].GetProperty("results").EnumerateArray()
            .ToDictionary(r => r.GetProperty("action").GetProperty("pid").GetInt32(), r => r.GetProperty("result").GetString());
        Assert.Equal("terminated", results[leaked.Pids[0]]);
        Assert.Equal("terminated", results[leaked.Pids[1]]);
        Assert.Equal("permission-denied", results[admin.Pids[0]]);
        Assert.Contains(admin.Pids[0], await ActivePids.OfAsync(sandbox));
    }

    [Theory]
    [InlineData("--state", "sleeping")]
    [InlineData("--client", "not-an-ip")]
    [InlineData("--max", "0")]
    public async Task Terminate_BadInput_ExitThreeNothingChanged(string option, string value)
    {
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        await using var held = await HeldConnections.OpenAsync(sandbox.SuperuserTarget, 2, "victim");
        var before = await ActivePids.OfAsync(sandbox);
        string[] args = option == "--state"
            ? ["terminate", sandbox.SuperuserTarget.ToUrl(), option, value, "--yes"]
            : ["terminate", sandbox.SuperuserTarget.ToUrl(), "--state", "idle", "--idle-for", "1ms", option, value, "--yes"];

        var run = await CliRun.InvokeAsync(args);

        Assert.Equal(3, run.ExitCode);
        Assert.Single(run.Error.TrimEnd().Split('\n'));
        Assert.Equal(before.Order(), (await ActivePids.OfAsync(sandbox)).Order());
    }

    [Fact]
    public async Task Terminate_NeitherStateNorBlocking_ExitThreeSaysWhatToAdd()
    {
        var run = await CliRun.InvokeAsync("terminate", "postgres://app:pw@127.0.0.1:1/db", "--yes");

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("--state idle|idle-in-transaction|active", run.Error, StringComparison.Ordinal);
    }
}
