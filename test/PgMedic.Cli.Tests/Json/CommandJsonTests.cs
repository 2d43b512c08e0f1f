using System.Text.Json;
using Npgsql;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Json;

/// <summary>
/// Every command's <c>--format json</c> run for real against the sandbox and held to its schema in docs/schemas/
/// (closed objects: a renamed field fails), its <c>exitCode</c> equal to the exit code the command returned,
/// and its text unescaped where JSON does not require an escape (docs/json.md).
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class CommandJsonTests(SandboxFixture fixture) : IAsyncLifetime
{
    /// <summary>application_name keeps printable ASCII only: these are the ASCII characters the default encoder escaped.</summary>
    private const string OddApplication = "o'brien+co <&>";

    /// <summary>Query text keeps any character: an apostrophe, an en dash, ≥ and a minus sign.</summary>
    private const string OddQuery = "SELECT 'it''s – a+b ≥ c − d' AS note";

    private readonly string _database = $"json_{Guid.NewGuid():N}"[..20];
    private readonly string _directory = Directory.CreateTempSubdirectory("pgmedic-json-").FullName;

    private PostgresSandbox Sandbox => fixture.Sandbox;

    private string Url => Sandbox.SuperuserTarget.ToUrl();

    /// <summary>The remediation verbs act in a database of their own, so nothing else on the shared sandbox is touched.</summary>
    private string OwnDatabaseUrl => Sandbox.SuperuserTarget.WithDatabase(_database).ToUrl();

    public Task InitializeAsync() => Sandbox.ExecuteAsync($"CREATE DATABASE {_database}");

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await Sandbox.ExecuteAsync($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Probe_AcceptingAndNoResponse_KeepsSchemaAndExitCode()
    {
        var accepting = await JsonOfAsync("probe.schema.json", 0, "probe", Url, "--format", "json");
        var silent = await JsonOfAsync("probe.schema.json", 2, "probe", $"postgres://app@127.0.0.1:{SilentListener.UnusedPort()}/shop", "--timeout", "2s", "--format", "json");

        Assert.Equal("accepting", accepting.GetProperty("outcome").GetString());
        Assert.True(accepting.GetProperty("queryMilliseconds").GetDouble() > 0, "probe ran SELECT 1: its time is measured");
        Assert.Equal("no-response", silent.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Diagnose_SessionsWithOddText_KeepsSchemaExitCodeAndTextAsItReads()
    {
        await using var held = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 2, OddApplication);
        await held.ExecuteOnEachAsync(OddQuery);

        var run = await CliRun.InvokeAsync("diagnose", Url, "--format", "json");
        var json = await KeptAsync("diagnose.schema.json", run);

        Assert.Contains($"\"name\": \"{OddApplication}\"", run.Out, StringComparison.Ordinal);
        Assert.Contains("ALTER SYSTEM SET idle_in_transaction_session_timeout = '5min'", run.Out, StringComparison.Ordinal);

        // diagnose runs no SELECT 1: its probe says so instead of passing the collection's time off as one.
        Assert.Equal(JsonValueKind.Null, json.GetProperty("probe").GetProperty("queryMilliseconds").ValueKind);
        Assert.True(json.GetProperty("collectMilliseconds").GetDouble() > 0);
        Assert.Equal(json.GetProperty("usage").GetProperty("percentOfUsable").GetDouble(), json.GetProperty("usage").GetProperty("percentOfUsableMax").GetDouble());
    }

    [Fact]
    public async Task Activity_SessionsWithOddText_KeepsSchemaExitCodeAndTextAsItReads()
    {
        await using var held = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 1, OddApplication);
        await held.ExecuteOnEachAsync(OddQuery);

        var run = await CliRun.InvokeAsync("activity", Url, "--application", OddApplication, "--format", "json");
        var json = await KeptAsync("activity.schema.json", run);

        var session = Assert.Single(json.GetProperty("sessions").EnumerateArray());
        Assert.Equal(OddApplication, session.GetProperty("application").GetString());
        Assert.Contains("it''s – a+b ≥ c − d", run.Out, StringComparison.Ordinal);
        Assert.EndsWith("Z", session.GetProperty("stateChange").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlowQueries_ListedAndExtensionMissing_KeepSchemaAndExitCodes()
    {
        var listed = await JsonOfAsync("slow-queries.schema.json", 0, "slow-queries", Url, "--all", "--format", "json");
        var missing = await JsonOfAsync("slow-queries.schema.json", 3, "slow-queries", OwnDatabaseUrl, "--format", "json");

        Assert.Equal("ok", listed.GetProperty("status").GetString());
        Assert.Equal("extension-missing", missing.GetProperty("status").GetString());
        Assert.False(missing.TryGetProperty("isAvailable", out _), "status says it once");
    }

    [Fact]
    public async Task Advise_PoolsThatCanExhaustAndPoolsThatFit_KeepSchemaAndExitCodes()
    {
        var exhaust = await JsonOfAsync("advise.schema.json", 1, "advise", Url, "--workers", "40", "--format", "json");
        var fit = await JsonOfAsync("advise.schema.json", 0, "advise", Url, "--workers", "1", "--pool-size", "1", "--max-overflow", "0", "--format", "json");

        Assert.True(exhaust.GetProperty("advice").GetProperty("canExhaust").GetBoolean());
        Assert.False(fit.GetProperty("advice").GetProperty("canExhaust").GetBoolean());
        var slots = fit.GetProperty("advice").GetProperty("slots");
        Assert.Equal(
            slots.GetProperty("maxConnections").GetInt32() - slots.GetProperty("superuserReservedConnections").GetInt32() - slots.GetProperty("reservedConnections").GetInt32(),
            slots.GetProperty("usableSlots").GetInt32());
        Assert.Contains(exhaust.GetProperty("advice").GetProperty("reasoning").EnumerateArray(), line => line.GetString()!.Contains(" − ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Logs_ServerFullAndQuotedText_KeepsSchemaExitCodeAndTextAsItReads()
    {
        var file = Path.Combine(_directory, "postgresql.log");
        await File.WriteAllLinesAsync(file,
        [
            "2025-07-31 03:12:05.123 UTC [4242] o'brien@shop FATAL:  sorry, too many clients already",
            "2025-07-31 05:12:06.456 +02:00 [4243] FATAL:  remaining connection slots are reserved for non-replication superuser connections – again",
        ]);

        var run = await CliRun.InvokeAsync("logs", file, "--format", "json");
        var json = await KeptAsync("logs.schema.json", run);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("o'brien@shop", run.Out, StringComparison.Ordinal);
        Assert.Contains("connections – again", run.Out, StringComparison.Ordinal);
        Assert.Equal("2025-07-31T03:12:05.123Z", json.GetProperty("firstSeen").GetString());
        Assert.Equal("2025-07-31T03:12:06.456Z", json.GetProperty("lastSeen").GetString());
    }

    [Fact]
    public async Task Pools_LeakingServiceAndSilentEndpoint_KeepSchemaAndExitCode()
    {
        var role = await Sandbox.CreateRoleAsync("json_pools_app", "json-pools-pw");
        await using var service = await SampleService.StartAsync(role);
        await service.LeakAsync(inTransaction: true);

        var pools = await JsonOfAsync("pools.schema.json", 2, "pools", service.PoolEndpoint.ToString(), $"http://127.0.0.1:{SilentListener.UnusedPort()}/health/pool", "--format", "json");
        var run = await CliRun.InvokeAsync("diagnose", Url, "--pool-endpoint", service.PoolEndpoint.ToString(), "--iit-warning", "100ms", "--iit-critical", "1h", "--format", "json");
        var diagnosis = await KeptAsync("diagnose.schema.json", run);

        Assert.Equal(1, pools.GetProperty("pools")[0].GetProperty("checkedOut").GetInt32());
        Assert.Single(diagnosis.GetProperty("pools")[0].GetProperty("holders").EnumerateArray());
    }

    [Fact]
    public async Task TerminateCancelHeal_RealSessions_KeepTheRemediationSchemaAndExitCodes()
    {
        var audit = Path.Combine(_directory, "audit.jsonl");
        var own = Sandbox.SuperuserTarget.WithDatabase(_database);
        await using var idle = await HeldConnections.OpenAsync(own, 2, OddApplication);
        await idle.ExecuteOnEachAsync(OddQuery);
        await using var busy = await HeldConnections.OpenAsync(own, 1, "json-busy");
        var sleeping = RunIgnoringCancelAsync(busy.Connections[0], "SELECT pg_sleep(30)");
        await using var stuck = await HeldConnections.OpenAsync(own, 1, "json-stuck");
        await stuck.ExecuteOnEachAsync("BEGIN; SELECT 1;");
        await Task.Delay(300);

        var terminate = await JsonOfAsync("remediation.schema.json", 0, "terminate", OwnDatabaseUrl, "--state", "idle", "--idle-for", "100ms", "--application", OddApplication, "--yes", "--audit-log", audit, "--format", "json");
        var cancel = await JsonOfAsync("remediation.schema.json", 0, "cancel", OwnDatabaseUrl, "--running-for", "100ms", "--application", "json-busy", "--yes", "--audit-log", audit, "--format", "json");
        await sleeping;
        var healPlan = await JsonOfAsync("remediation.schema.json", 0, "heal", OwnDatabaseUrl, "--iit-for", "100ms", "--format", "json");
        var heal = await JsonOfAsync("remediation.schema.json", 0, "heal", OwnDatabaseUrl, "--iit-for", "100ms", "--yes", "--audit-log", audit, "--format", "json");

        var terminated = terminate.GetProperty("steps")[0].GetProperty("results");
        Assert.Equal(idle.Pids.Order(), terminated.EnumerateArray().Select(r => r.GetProperty("action").GetProperty("pid").GetInt32()).Order());
        Assert.All(terminated.EnumerateArray(), r => Assert.Equal("terminated", r.GetProperty("result").GetString()));
        Assert.Equal(OddApplication, terminated[0].GetProperty("action").GetProperty("application").GetString());
        Assert.Equal("cancelled", cancel.GetProperty("steps")[0].GetProperty("results")[0].GetProperty("result").GetString());
        Assert.Equal(("dry-run", true), (healPlan.GetProperty("outcome").GetString(), healPlan.GetProperty("dryRun").GetBoolean()));
        Assert.Equal("executed", heal.GetProperty("outcome").GetString());
        var step = heal.GetProperty("steps").EnumerateArray().First(s => s.GetProperty("status").GetString() == "done");
        Assert.True(step.GetProperty("verification").GetProperty("percentOfUsableBefore").GetDouble() > step.GetProperty("verification").GetProperty("percentOfUsableAfter").GetDouble());
        Assert.Contains(healPlan.GetProperty("steps").EnumerateArray(), s => s.GetProperty("status").GetString() == "nothing-to-do");
    }

    [Fact]
    public async Task Emergency_DryRun_ListsEveryPlaybookStepWithItsCommand()
    {
        var json = await JsonOfAsync(
            "remediation.schema.json",
            0,
            "emergency", OwnDatabaseUrl, "--maintenance-on-command", "echo on", "--restart-command", "echo 'restart' + go", "--maintenance-off-command", "echo off",
            "--health-url", "http://127.0.0.1:9/health", "--format", "json");

        var steps = json.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(("dry-run", true), (json.GetProperty("outcome").GetString(), json.GetProperty("dryRun").GetBoolean()));
        Assert.Equal(["maintenance-on", "terminate", "restart-app", "verify", "maintenance-off", "health-check"], steps.Select(s => s.GetProperty("name").GetString()));
        Assert.All(steps, s => Assert.Equal("planned", s.GetProperty("status").GetString()));
        Assert.Equal(["echo on", null, "echo 'restart' + go", null, "echo off", null], steps.Select(s => s.GetProperty("command").GetString()));
        Assert.Equal("http://127.0.0.1:9/health", steps[^1].GetProperty("url").GetString());
    }

    [Fact]
    public async Task EmergencyThenReport_ExecutedPlaybook_BothKeepTheirSchemasAndExitCodes()
    {
        var audit = Path.Combine(_directory, "emergency.jsonl");
        await using var held = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget.WithDatabase(_database), 2, OddApplication);

        var emergency = await JsonOfAsync(
            "remediation.schema.json",
            0,
            "emergency", OwnDatabaseUrl, "--yes", "--confirm-database", _database, "--maintenance-on-command", "true", "--restart-command", "true",
            "--maintenance-off-command", "true", "--audit-log", audit, "--format", "json");
        var report = await JsonOfAsync("report.schema.json", 0, "report", "--audit-log", audit, "--format", "json");

        Assert.Equal("executed", emergency.GetProperty("outcome").GetString());
        Assert.Equal(2, report.GetProperty("sessionsTerminated").GetInt32());
        Assert.Equal("finished", report.GetProperty("playbooks")[0].GetProperty("ending").GetString());
        var numbers = report.GetProperty("numbers");
        Assert.True(numbers.GetProperty("clientBackendsBefore").GetInt32() >= numbers.GetProperty("clientBackendsAfter").GetInt32() + 2, numbers.ToString());
        Assert.True(numbers.GetProperty("percentOfUsableBefore").GetDouble() > numbers.GetProperty("percentOfUsableAfter").GetDouble(), numbers.ToString());
    }

    /// <summary>Runs pgmedic in-process and holds its JSON to the schema; returns the document.</summary>
    private static async Task<JsonElement> JsonOfAsync(string schema, int expectedExit, params string[] args)
    {
        var run = await CliRun.InvokeAsync(args);
        Assert.True(run.ExitCode == expectedExit, $"pgmedic {args[0]} exited {run.ExitCode}, not {expectedExit}: {run.All}");
        return await KeptAsync(schema, run);
    }

    private static async Task<JsonElement> KeptAsync(string schema, CliRun run)
    {
        Assert.Equal(string.Empty, await JsonSchemas.ProblemsAsync(schema, run.Out));
        Assert.Empty(JsonSchemas.NeedlessEscapes(run.Out));
        using var json = JsonDocument.Parse(run.Out);
        Assert.Equal(run.ExitCode, json.RootElement.GetProperty("exitCode").GetInt32());
        return json.RootElement.Clone();
    }

    private static async Task RunIgnoringCancelAsync(NpgsqlConnection connection, string sql)
    {
        try
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.QueryCanceled)
        {
            // What cancel does: the query ends, the session stays.
        }
    }
}
