using System.Text.Json;
using Npgsql;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Activity;

/// <summary><c>pgmedic activity</c> against real sessions held open on the shared sandbox; every filter asserted by PID.</summary>
[Collection(SandboxCollection.Name)]
public sealed class ActivityCommandTests(SandboxFixture fixture)
{
    private PostgresSandbox Sandbox => fixture.Sandbox;

    private string Url => Sandbox.SuperuserTarget.ToUrl();

    [Fact]
    public async Task Activity_SessionsOfOneApplication_OrderedByStateChangeOldestFirst()
    {
        await using var held = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 3, "ordering-app");
        await Task.Delay(50);

        // The first session runs a query last, so its state_change is the newest although its backend is the oldest.
        await using (var command = new NpgsqlCommand("SELECT 1", held.Connections[0]))
        {
            await command.ExecuteScalarAsync();
        }

        var sessions = await SessionsAsync("--application", "ordering-app");

        Assert.Equal([held.Pids[1], held.Pids[2], held.Pids[0]], sessions.Select(s => s.GetProperty("pid").GetInt32()));
    }

    [Theory]
    [InlineData("idle-in-transaction")]
    [InlineData("idle in transaction")]
    public async Task Activity_StateIdleInTransaction_OnlyTheOpenTransaction(string spelling)
    {
        // One application name per case, so sessions of the other case still exiting are not counted.
        var application = "state-" + spelling;
        await using var idle = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 2, application);
        await using var open = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 1, application);
        await open.ExecuteOnEachAsync("BEGIN; SELECT count(*) FROM pg_class;");

        var inTransaction = await SessionsAsync("--state", spelling, "--application", application);
        var idleOnly = await SessionsAsync("--state", "idle", "--application", application);

        var row = Assert.Single(inTransaction);
        Assert.Equal(open.Pids[0], row.GetProperty("pid").GetInt32());
        Assert.Equal("idle in transaction", row.GetProperty("state").GetString());
        Assert.Contains("SELECT count(*) FROM pg_class", row.GetProperty("query").GetString(), StringComparison.Ordinal);
        Assert.True(row.GetProperty("transactionAgeSeconds").GetDouble() >= 0);
        Assert.Equal(idle.Pids.Order(), idleOnly.Select(s => s.GetProperty("pid").GetInt32()).Order());
    }

    [Fact]
    public async Task Activity_ApplicationFilter_OnlyThatApplicationsPids()
    {
        await using var api = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 2, "filter-api");
        await using var worker = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 3, "filter-worker");

        var sessions = await SessionsAsync("--application", "filter-worker");

        Assert.Equal(worker.Pids.Order(), sessions.Select(s => s.GetProperty("pid").GetInt32()).Order());
        Assert.All(sessions, s => Assert.Equal("filter-worker", s.GetProperty("application").GetString()));
    }

    [Fact]
    public async Task Activity_UserAndDatabaseFilters_OnlyThatRoleAndThatDatabase()
    {
        await Sandbox.ExecuteAsync("CREATE DATABASE activity_other");
        var reader = await Sandbox.CreateRoleAsync("activity_reader", "reader-pw", database: "activity_other");
        await using var asReader = await HeldConnections.OpenAsync(reader, 2, "user-filter");
        await using var asSuperuser = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 1, "user-filter");

        var byUser = await SessionsAsync("--user", "activity_reader");
        var byDatabase = await SessionsAsync("--in-database", "activity_other");
        var superuserInPostgres = await SessionsAsync("--application", "user-filter", "--in-database", "postgres", "--user", "postgres");

        Assert.Equal(asReader.Pids.Order(), byUser.Select(s => s.GetProperty("pid").GetInt32()).Order());
        Assert.Equal(asReader.Pids.Order(), byDatabase.Select(s => s.GetProperty("pid").GetInt32()).Order());
        Assert.Equal(asSuperuser.Pids, superuserInPostgres.Select(s => s.GetProperty("pid").GetInt32()));
    }

    [Fact]
    public async Task Activity_IdleFor_LeavesOutSessionsYoungerInTheirState()
    {
        // The young sessions must stay younger than --idle-for until the command's snapshot: on a loaded machine
        // starting the command and logging in took over a second (ci30), so the threshold leaves five.
        await using var old = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 2, "min-age");
        await Task.Delay(TimeSpan.FromSeconds(5.5));
        await using var young = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 2, "min-age");

        var sessions = await SessionsAsync("--application", "min-age", "--idle-for", "5s");

        Assert.Equal(old.Pids.Order(), sessions.Select(s => s.GetProperty("pid").GetInt32()).Order());
        Assert.All(sessions, s => Assert.True(s.GetProperty("stateAgeSeconds").GetDouble() >= 5));
    }

    [Fact]
    public async Task Activity_AllBackends_AddsBackgroundProcessesLeftOutByDefault()
    {
        var clients = await SessionsAsync();
        var all = await SessionsAsync("--all-backends");

        Assert.All(clients, s => Assert.Equal("client backend", s.GetProperty("backendType").GetString()));
        Assert.Contains(all, s => s.GetProperty("backendType").GetString() == "checkpointer");
    }

    [Fact]
    public async Task Activity_Json_DocumentedFieldsAndMaskedTarget()
    {
        await using var held = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 1, "json-fields");

        var run = await CliRun.InvokeAsync("activity", Url, "--application", "json-fields", "--format", "json");

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.Equal($"postgres://postgres:***@127.0.0.1:{Sandbox.Port}/postgres", root.GetProperty("target").GetString());
        Assert.Equal("json-fields", root.GetProperty("filter").GetProperty("application").GetString());
        Assert.Equal(1, root.GetProperty("count").GetInt32());
        Assert.True(root.GetProperty("total").GetInt32() >= 1);
        Assert.True(root.GetProperty("visibility").GetProperty("seesAllSessions").GetBoolean());
        var row = root.GetProperty("sessions")[0];
        string[] fields =
        [
            "pid", "backendType", "database", "user", "application", "clientAddress", "clientPort", "state", "stateChange", "stateAgeSeconds",
            "transactionStart", "transactionAgeSeconds", "queryStart", "queryAgeSeconds", "waitEventType", "waitEvent", "lockWaitAgeSeconds", "blockedBy", "query",
        ];
        Assert.Equal(fields, row.EnumerateObject().Select(p => p.Name));
        Assert.Equal(held.Pids[0], row.GetProperty("pid").GetInt32());
        Assert.Equal("127.0.0.1", row.GetProperty("clientAddress").GetString());
        Assert.DoesNotContain(Sandbox.SuperuserPassword, run.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Activity_TableAndMarkdown_ShowPidApplicationStateAndQuery()
    {
        await using var held = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 1, "table-app");
        await held.ExecuteOnEachAsync("BEGIN; SELECT 'visible-in-table';");

        var table = await CliRun.InvokeAsync("activity", Url, "--application", "table-app");
        var markdown = await CliRun.InvokeAsync("activity", Url, "--application", "table-app", "--format", "markdown");

        Assert.Equal(0, table.ExitCode);
        Assert.Contains("1 of ", table.Out, StringComparison.Ordinal);
        Assert.Contains(held.Pids[0].ToString(System.Globalization.CultureInfo.InvariantCulture), table.Out, StringComparison.Ordinal);
        Assert.Contains("idle in transaction", table.Out, StringComparison.Ordinal);
        Assert.Contains("SELECT 'visible-in-table'", table.Out, StringComparison.Ordinal);
        Assert.Contains($"| {held.Pids[0]} | postgres | postgres | table-app |", markdown.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Activity_BogusState_ExitThreeOneLineNoStackTrace()
    {
        var run = await CliRun.InvokeAsync("activity", Url, "--state", "bogus");

        Assert.Equal(3, run.ExitCode);
        Assert.Equal(string.Empty, run.Out);
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--state 'bogus' is not one of idle, active, idle-in-transaction, idle-in-transaction-aborted", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Activity_BadIdleFor_ExitThreeOneLine()
    {
        var run = await CliRun.InvokeAsync("activity", Url, "--idle-for", "soon");

        Assert.Equal(3, run.ExitCode);
        Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--idle-for 'soon' is not a duration", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Activity_NothingListening_ExitTwoSaysNoResponse()
    {
        var run = await CliRun.InvokeAsync("activity", $"postgres://app:secret-pw@127.0.0.1:{SilentListener.UnusedPort()}/shop", "--timeout", "3s");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("pgmedic: cannot read postgres://app:***@127.0.0.1", run.Error, StringComparison.Ordinal);
        Assert.Contains("no response: refused", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-pw", run.All, StringComparison.Ordinal);
    }

    private async Task<List<JsonElement>> SessionsAsync(params string[] filters)
    {
        var run = await CliRun.InvokeAsync(["activity", Url, "--format", "json", .. filters]);
        Assert.True(run.ExitCode == 0, run.All);
        using var json = JsonDocument.Parse(run.Out);
        return json.RootElement.GetProperty("sessions").EnumerateArray().Select(e => e.Clone()).ToList();
    }
}
