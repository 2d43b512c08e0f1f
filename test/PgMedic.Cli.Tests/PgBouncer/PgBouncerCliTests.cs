using Npgsql;
using PgMedic.Cli.PgBouncer;
using PgMedic.Core.Logs;
using PgMedic.Core.PgBouncer;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.PgBouncer;

/// <summary>A real PgBouncer driven into waiting clients: the Nagios check, diagnose --pgbouncer and PgBouncer's own log.</summary>
public sealed class PgBouncerCliTests(PgBouncerFixture fixture) : IClassFixture<PgBouncerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task CheckPgBouncerWaiting_QuietThenQueued_ExitsZeroThenOneThenTwoAtThresholds()
    {
        var quiet = new StringWriter();
        var quietCode = await PgBouncerWaitingCheck.RunAsync(fixture.Bouncer.AdminTarget, new PgBouncerOptions(), Timeout, quiet, CancellationToken.None);
        var warning = new StringWriter();
        var critical = new StringWriter();
        int warningCode, criticalCode;
        await using (await fixture.QueueAsync(3))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(1100));
            warningCode = await PgBouncerWaitingCheck.RunAsync(fixture.Bouncer.AdminTarget, new PgBouncerOptions { WaitingWarning = 1, WaitingCritical = 10, MaxWaitWarning = TimeSpan.FromMinutes(1), MaxWaitCritical = TimeSpan.FromMinutes(2) }, Timeout, warning, CancellationToken.None);
            criticalCode = await PgBouncerWaitingCheck.RunAsync(fixture.Bouncer.AdminTarget, new PgBouncerOptions { WaitingWarning = 1, WaitingCritical = 3, MaxWaitWarning = TimeSpan.FromMinutes(1), MaxWaitCritical = TimeSpan.FromMinutes(2) }, Timeout, critical, CancellationToken.None);
        }

        Assert.Equal((0, 1, 2), (quietCode, warningCode, criticalCode));
        Assert.StartsWith("PGBOUNCER-WAITING OK", quiet.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("PGBOUNCER-WAITING WARNING - 3 client(s) waiting in 1 pool(s), longest wait 1", warning.ToString(), StringComparison.Ordinal);
        Assert.Contains("(shop/app 3) | 'cl_waiting'=3;1;3;0", critical.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckVerb_PgBouncerWaitingSubcommand_QuietPoolIsOk()
    {
        var run = await CliRun.InvokeAsync("check", "pgbouncer-waiting", fixture.Bouncer.AdminTarget.ToUrl());

        Assert.True(run.ExitCode == 0, run.All);
        Assert.StartsWith("PGBOUNCER-WAITING OK - ", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Bouncer.AdminPassword, run.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckVerb_PgBouncerWaitingWithPsqlOptions_ReachesTheAdminConsole()
    {
        var environment = new Dictionary<string, string> { ["PGPASSWORD"] = fixture.Bouncer.AdminPassword, ["PGPORT"] = SilentListener.UnusedPort().ToString(System.Globalization.CultureInfo.InvariantCulture) };

        var run = await CliRun.InvokeAsync(environment, "check", "pgbouncer-waiting", "-h", "127.0.0.1", "-p", fixture.Bouncer.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", PgBouncerProcess.AdminUser);

        Assert.True(run.ExitCode == 0, run.All);
        Assert.StartsWith("PGBOUNCER-WAITING OK - ", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckPgBouncerWaiting_NothingListening_CriticalOneLine()
    {
        var output = new StringWriter();
        var target = fixture.Bouncer.AdminTarget with { Port = SilentListener.UnusedPort() };

        var code = await PgBouncerWaitingCheck.RunAsync(target, new PgBouncerOptions(), Timeout, output, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.StartsWith("PGBOUNCER-WAITING CRITICAL - cannot read PgBouncer's admin console: could not connect", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Bouncer.AdminPassword, output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diagnose_WithPgBouncerWhileClientsQueue_BothLayersSideBySide()
    {
        CliRun run;
        await using (await fixture.QueueAsync(2))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(300));
            run = await CliRun.InvokeAsync(["diagnose", fixture.Sandbox.SuperuserTarget.ToUrl(), "--pgbouncer", fixture.Bouncer.AdminTarget.ToUrl()]);
        }

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("pools: PgBouncer | PostgreSQL", run.Out, StringComparison.Ordinal);
        Assert.Contains("│ idle in transaction 2", run.Out, StringComparison.Ordinal);
        Assert.Contains("pgbouncer-clients-waiting: pool shop/app: 2 client(s) waiting", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Bouncer.AdminPassword, run.All, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Sandbox.SuperuserPassword, run.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_RealPgBouncerLog_QueryWaitTimeoutAndMaxClientConnCountedOncePerEvent()
    {
        await using var bouncer = await PgBouncerProcess.StartAsync(
            fixture.Sandbox,
            ["tiny = host=127.0.0.1 port={port} dbname=postgres pool_size=1"],
            new Dictionary<string, string> { [PgBouncerFixture.AppUser] = PgBouncerFixture.AppPassword },
            "pool_mode = transaction\nmax_client_conn = 2\nquery_wait_timeout = 1\nignore_startup_parameters = extra_float_digits");
        var tiny = bouncer.TargetFor(PgBouncerFixture.AppUser, PgBouncerFixture.AppPassword, "tiny");
        await using (var holder = await HeldConnections.OpenAsync(tiny, 1, "holder"))
        {
            await holder.ExecuteOnEachAsync("BEGIN; SELECT 1");
            await using (var waiter = await OpenWithoutTypeLoadingAsync(tiny))
            {
                await Assert.ThrowsAnyAsync<NpgsqlException>(() => new NpgsqlCommand("SELECT 1", waiter).ExecuteScalarAsync());
            }

            await using var second = await OpenWithoutTypeLoadingAsync(tiny);
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => OpenWithoutTypeLoadingAsync(tiny));
        }

        var analyzer = new LogAnalyzer(TimeProvider.System);
        using (var reader = new StringReader(bouncer.ReadLog()))
        {
            await analyzer.AddAsync(reader, bouncer.LogPath, CancellationToken.None);
        }

        var report = analyzer.Report();
        Assert.Equal(1, Assert.Single(report.Kinds, k => k.Code == "pgbouncer-query-wait-timeout").Count);
        // Npgsql tries a refused login twice; PgBouncer logs each refusal twice ("closing because", "pooler error"): one count per attempt.
        Assert.InRange(Assert.Single(report.Kinds, k => k.Code == "pgbouncer-max-client-conn").Count, 1, 2);
    }

    // Type loading would queue behind the held transaction; these clients must reach PgBouncer's limits instead.
    private static async Task<NpgsqlConnection> OpenWithoutTypeLoadingAsync(PgMedic.Postgres.Targets.ConnectionTarget target)
    {
        var connection = new NpgsqlConnection(target.ToNpgsqlConnectionString("tiny-client", TimeSpan.FromSeconds(10)) + ";Server Compatibility Mode=NoTypeLoading");
        try
        {
            await connection.OpenAsync();
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
