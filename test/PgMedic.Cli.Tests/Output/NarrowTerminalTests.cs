using Npgsql;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Output;

/// <summary>
/// Every verb's table output on an 80-column terminal, against sessions with names and queries wider than
/// it: no line is longer than the terminal, a cut value ends with '…', and the same command piped keeps
/// the values whole.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class NarrowTerminalTests(SandboxFixture fixture) : IAsyncLifetime
{
    private const int Width = 80;
    private const string Application = "checkout-api-eu-west-1-blue-deployment";
    private const string LongQuery = "SELECT pg_sleep(60) AS waiting_for_the_nightly_invoice_export_to_finish_before_the_dashboard_refreshes";
    private const string IdleQuery = "SELECT count(*) AS orders_still_waiting_for_their_payment_provider_to_call_back FROM pg_class";

    private HeldConnections _sessions = null!;
    private Task _sleeping = Task.CompletedTask;

    private PostgresSandbox Sandbox => fixture.Sandbox;

    private string Url => Sandbox.SuperuserTarget.ToUrl();

    public async Task InitializeAsync()
    {
        _sessions = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 2, Application);
        await new NpgsqlCommand($"BEGIN; {IdleQuery}", _sessions.Connections[1]).ExecuteNonQueryAsync();
        _sleeping = new NpgsqlCommand(LongQuery, _sessions.Connections[0]).ExecuteNonQueryAsync();
        await ServerState.WaitUntilAsync(Sandbox, $"EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = '{Application}' AND wait_event = 'PgSleep')");
        await Task.Delay(1100);
    }

    public async Task DisposeAsync()
    {
        await Sandbox.ExecuteAsync($"SELECT pg_cancel_backend({_sessions.Pids[0]})");
        await Assert.ThrowsAsync<PostgresException>(() => _sleeping);
        await _sessions.DisposeAsync();
    }

    [Fact]
    public async Task Activity_Width80_EveryLineFitsQueryClippedWithEllipsis_PipedKeepsTheWholeQuery()
    {
        var narrow = await CliRun.InvokeAtWidthAsync(Width, "activity", Url);
        var piped = await CliRun.InvokeAsync("activity", Url);

        AssertFits(narrow);
        Assert.Contains(narrow.Lines, l => l.Contains(Application, StringComparison.Ordinal));
        var query = Assert.Single(narrow.Lines, l => l.TrimStart().StartsWith("query SELECT pg_sleep(60)", StringComparison.Ordinal));
        Assert.EndsWith("…", query, StringComparison.Ordinal);
        Assert.Contains(LongQuery, piped.Out, StringComparison.Ordinal);
        Assert.Contains(IdleQuery, piped.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("…", piped.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diagnose_Width80_EveryLineFitsApplicationCutWithEllipsis()
    {
        var narrow = await CliRun.InvokeAtWidthAsync(Width, "diagnose", Url, "--iit-warning", "1s");
        var piped = await CliRun.InvokeAsync("diagnose", Url, "--iit-warning", "1s");

        AssertFits(narrow);
        Assert.Contains(narrow.Lines, l => CutValue(l, "checkout-api-"));
        Assert.Contains(narrow.Lines, l => l.StartsWith("WARNING idle-in-transaction", StringComparison.Ordinal));
        Assert.Contains(piped.Lines, l => l.TrimStart().StartsWith(Application + " ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SlowQueries_Width80_EveryLineFitsQueryClippedLast_PipedKeepsTheWholeQuery()
    {
        const string statement = "SELECT count(*) AS number_of_relations_in_the_catalog_counted_for_the_width_test FROM pg_class WHERE relkind = 'r'";
        await using (var connection = await PostgresSandbox.OpenAsync(Sandbox.SuperuserTarget, applicationName: "slow-queries-width"))
        {
            await new NpgsqlCommand(statement, connection).ExecuteNonQueryAsync();
        }

        var narrow = await CliRun.InvokeAtWidthAsync(Width, "slow-queries", Url, "--order", "calls", "--limit", "50");
        var piped = await CliRun.InvokeAsync("slow-queries", Url, "--order", "calls", "--limit", "50");

        AssertFits(narrow);
        var row = Assert.Single(narrow.Lines, l => l.Contains("SELECT count(*) AS number_of", StringComparison.Ordinal));
        Assert.EndsWith("…", row.TrimEnd(), StringComparison.Ordinal);
        Assert.Contains("SELECT count(*) AS number_of_relations_in_the_catalog_counted_for_the_width_test FROM pg_class WHERE relkind = $1", piped.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TerminateAndHealPlans_Width80_EveryLineFits()
    {
        var terminate = await CliRun.InvokeAtWidthAsync(Width, "terminate", Url, "--state", "idle-in-transaction", "--idle-for", "1s", "--include-superusers");
        var heal = await CliRun.InvokeAtWidthAsync(Width, "heal", Url, "--iit-for", "1s", "--include-superusers");

        AssertFits(terminate);
        AssertFits(heal);
        Assert.Contains(terminate.Lines, l => l.Contains(_sessions.Pids[1].ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal) && l.Contains("terminate", StringComparison.Ordinal));
        Assert.Contains("Dry run: nothing was changed.", terminate.Out, StringComparison.Ordinal);
        Assert.Contains(heal.Lines, l => l.Contains(_sessions.Pids[1].ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    [Fact]
    public async Task PoolsProbeAdviseLogs_Width80_EveryLineFits()
    {
        var endpoint = $"http://127.0.0.1:{SilentListener.UnusedPort()}/a/rather/long/path/to/the/health/pool/endpoint/of/the/service";
        var log = Path.Combine(Path.GetTempPath(), $"pgmedic-width-{Guid.NewGuid():N}.log");
        await File.WriteAllLinesAsync(log,
        [
            "2026-11-27T14:33:29.123Z pod/api-7d9 Npgsql.NpgsqlException (0x80004005): The connection pool has been exhausted, either raise 'Max Pool Size' (currently 20) or 'Timeout' (currently 15 seconds) in your connection string.",
            "2026-11-27 14:33:30 UTC psql: error: connection to server at \"db\" (10.0.0.5), port 5432 failed: Connection refused",
            "2026-11-27 14:33:31.456 UTC [4711] FATAL:  sorry, too many clients already",
            "2026-11-27 14:33:32.456 UTC [4712] FATAL:  remaining connection slots are reserved for non-replication superuser connections",
        ]);
        try
        {
            var pools = await CliRun.InvokeAtWidthAsync(Width, "pools", endpoint);
            var probe = await CliRun.InvokeAtWidthAsync(Width, "probe", Url);
            var advise = await CliRun.InvokeAtWidthAsync(Width, "advise", Url, "--workers", "4", "--pool-size", "20", "--max-overflow", "10", "--cores", "4");
            var logs = await CliRun.InvokeAtWidthAsync(Width, "logs", log);

            AssertFits(pools);
            Assert.Contains(pools.Lines, l => CutValue(l, "http://127.0.0.1:"));
            AssertFits(probe);
            Assert.Contains(probe.Lines, l => l.StartsWith("accepting", StringComparison.Ordinal));
            AssertFits(advise);
            Assert.Contains(advise.Lines, l => l.Contains("max_connections", StringComparison.Ordinal));
            AssertFits(logs);
            Assert.Contains(logs.Lines, l => l.Contains("npgsql-pool-exhausted", StringComparison.Ordinal));
            Assert.Contains(logs.Lines, l => l.StartsWith("  2026-11-27 14:33 ", StringComparison.Ordinal) && l.EndsWith('…'));
        }
        finally
        {
            File.Delete(log);
        }
    }

    private static void AssertFits(CliRun run)
    {
        Assert.True(run.Out.Length > 0, run.All);
        var tooLong = run.Lines.Where(l => l.Length > Width).ToList();
        Assert.True(tooLong.Count == 0, $"lines longer than {Width} columns:\n{string.Join('\n', tooLong)}\n--- the whole output:\n{run.Out}");
    }

    // A value that starts with the prefix and was cut: the ellipsis ends the word.
    private static bool CutValue(string line, string prefix) =>
        System.Text.RegularExpressions.Regex.IsMatch(line, System.Text.RegularExpressions.Regex.Escape(prefix) + @"\S*…");
}
