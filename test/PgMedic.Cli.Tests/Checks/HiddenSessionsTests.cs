using System.Text.Json;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Checks;

/// <summary>
/// The false OK, on a real PostgreSQL 15: 25 − 3 reserved = 22 usable slots, 15 sessions of the
/// ordinary role <c>app</c> and 3 of another role, which PostgreSQL shows <c>app</c> without a type. 18 of 22
/// (81.8 %) are in use; <c>app</c> can only know it is 15 to 18, so it must never say "OK - 15".
/// </summary>
public sealed class HiddenSessionsTests : IAsyncLifetime
{
    private PostgresSandbox _sandbox = null!;
    private string _app = null!;
    private string _watcher = null!;
    private HeldConnections _held = null!;

    public async Task InitializeAsync()
    {
        // No autovacuum: a worker starting mid-test is one more row app cannot classify, and the exact range is the point.
        _sandbox = await PostgresSandbox.StartAsync(new SandboxOptions
        {
            MaxConnections = 25,
            SuperuserReservedConnections = 3,
            CreatePgStatStatements = false,
            Settings = new Dictionary<string, string> { ["autovacuum"] = "off" },
        });
        var app = await _sandbox.CreateRoleAsync("app", "app-pw");
        var billing = await _sandbox.CreateRoleAsync("billing", "billing-pw");
        var watcher = await _sandbox.CreateRoleAsync("watcher", "watcher-pw");
        await _sandbox.ExecuteAsync("GRANT pg_monitor TO watcher");
        _app = app.ToUrl();
        _watcher = watcher.ToUrl();
        _held = await HeldConnections.OpenAsync(app, 15, "shop-api");
        await _held.AddAsync(billing, 3, "billing-worker");
    }

    public async Task DisposeAsync()
    {
        await _held.DisposeAsync();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task CheckConnections_OrdinaryRoleWithOtherRolesSessions_UnknownWithTheGrantNeverALowerOk()
    {
        var asApp = await SettledAsync(r => r.Out.Contains("15–18 of 22", StringComparison.Ordinal), "check", "connections", _app);
        var asSuperuser = await SettledAsync(r => r.Out.Contains(" 18 of 22", StringComparison.Ordinal), "check", "connections", _sandbox.SuperuserTarget.ToUrl());
        var asMonitorRole = await SettledAsync(r => r.Out.Contains(" 18 of 22", StringComparison.Ordinal), "check", "connections", _watcher);

        Assert.Equal(3, asApp.ExitCode);
        Assert.StartsWith("POSTGRES_CONNECTIONS UNKNOWN - 15–18 of 22 usable slots in use (68.2–81.8%), 4–7 left; this role cannot see whether 3 session(s) of other roles are client backends or background workers, so it is OK or WARNING (warning at 17.6 lies inside the range); GRANT pg_monitor TO app (or pg_read_all_stats) removes the doubt", asApp.Out, StringComparison.Ordinal);
        Assert.Contains("| connections=18;17.6;19.8;0;22 connections_min=15;", asApp.Out, StringComparison.Ordinal);
        Assert.Equal(1, asSuperuser.ExitCode);
        Assert.StartsWith("POSTGRES_CONNECTIONS WARNING - 18 of 22 usable slots in use (81.8%), 4 left", asSuperuser.Out, StringComparison.Ordinal);
        Assert.Equal(1, asMonitorRole.ExitCode);
        Assert.StartsWith("POSTGRES_CONNECTIONS WARNING - 18 of 22 usable slots in use (81.8%)", asMonitorRole.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("90%", "95%", 0, "OK - 15–18 of 22")]
    [InlineData("50%", "95%", 1, "WARNING - 15–18 of 22")]
    [InlineData("50%", "80%", 3, "UNKNOWN - 15–18 of 22")]
    public async Task CheckConnections_OrdinaryRole_AVerdictOnlyWhenTheWholeRangeAgrees(string warning, string critical, int expected, string text)
    {
        var run = await SettledAsync(r => r.Out.Contains("15–18 of 22", StringComparison.Ordinal), "check", "connections", _app, "-w", warning, "-c", critical);

        Assert.Equal(expected, run.ExitCode);
        Assert.StartsWith("POSTGRES_CONNECTIONS " + text, run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DiagnoseAndTop_OrdinaryRole_ShowTheRangeNeverTheLowEndAlone()
    {
        var json = await SettledAsync(r => r.Out.Contains("\"clientBackends\": 18,", StringComparison.Ordinal) || r.Out.Contains("\"clientBackends\":18,", StringComparison.Ordinal), "diagnose", _app, "--format", "json");
        var table = await SettledAsync(r => r.Out.Contains("15–18/22", StringComparison.Ordinal), "diagnose", _app);
        var top = await SettledAsync(r => r.Out.Contains("15–18/22", StringComparison.Ordinal), "top", _app);

        using var document = JsonDocument.Parse(json.Out);
        var usage = document.RootElement.GetProperty("usage");
        Assert.Equal(18, usage.GetProperty("clientBackends").GetInt32());
        Assert.Equal(15, usage.GetProperty("clientBackendsMin").GetInt32());
        Assert.Equal(18, usage.GetProperty("clientBackendsMax").GetInt32());
        Assert.Equal(68.2, usage.GetProperty("percentOfUsableMin").GetDouble());
        Assert.Equal(81.8, usage.GetProperty("percentOfUsable").GetDouble());
        Assert.False(usage.GetProperty("exact").GetBoolean());
        Assert.Equal(3, usage.GetProperty("unclassifiedSessions").GetInt32());
        Assert.Equal("app", document.RootElement.GetProperty("visibility").GetProperty("role").GetString());
        Assert.Equal(1, json.ExitCode);
        Assert.Contains("15–18/22 usable slots (68.2–81.8 %)", table.Out, StringComparison.Ordinal);
        Assert.Contains("range: this role cannot see whether 3 session(s) of other roles are client backends", table.Out, StringComparison.Ordinal);
        Assert.Contains("connection-saturation: 68.2–81.8 % of usable connection slots in use (15–18/22)", table.Out, StringComparison.Ordinal);
        Assert.Contains("GRANT pg_monitor TO app;", table.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(" 15/22", table.Out, StringComparison.Ordinal);
        Assert.Contains("15–18/22 usable slots (68.2–81.8 %) · 4–7 left", top.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(" 15/22", top.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckConnections_ServerWithNoWorkersOrWalsenders_HiddenSessionsAreClientBackendsExactCount()
    {
        // With max_worker_processes and max_wal_senders 0, a hidden session with a database and a role can
        // only be a client backend: the ordinary role gets the exact count, without a grant.
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions
        {
            MaxConnections = 25,
            SuperuserReservedConnections = 3,
            CreatePgStatStatements = false,
            Settings = new Dictionary<string, string> { ["max_worker_processes"] = "0", ["max_wal_senders"] = "0" },
        });
        var app = await sandbox.CreateRoleAsync("app", "app-pw");
        var billing = await sandbox.CreateRoleAsync("billing", "billing-pw");
        await using var held = await HeldConnections.OpenAsync(app, 15, "shop-api");
        await held.AddAsync(billing, 3, "billing-worker");

        var run = await SettledAsync(r => r.Out.Contains(" 18 of 22", StringComparison.Ordinal), "check", "connections", app.ToUrl());

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("POSTGRES_CONNECTIONS WARNING - 18 of 22 usable slots in use (81.8%), 4 left", run.Out, StringComparison.Ordinal);
    }

    /// <summary>
    /// Runs the verb until it reads the held sessions alone, for up to 5 s: the session of the run before (or of
    /// the roles' set-up) can still be closing on a busy server for a moment after its client has gone, and it
    /// is one more real row until then. A miscount that stays is still caught by the assertions after.
    /// </summary>
    private static async Task<CliRun> SettledAsync(Func<CliRun, bool> settled, params string[] args)
    {
        var run = await CliRun.InvokeAsync(args);
        for (var tries = 0; !settled(run) && tries < 50; tries++)
        {
            await Task.Delay(100);
            run = await CliRun.InvokeAsync(args);
        }

        return run;
    }
}
