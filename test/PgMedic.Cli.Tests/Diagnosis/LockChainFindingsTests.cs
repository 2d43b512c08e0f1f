using System.Text.Json;
using Npgsql;
using PgMedic.Cli.Diagnosis;
using PgMedic.Cli.Output;
using PgMedic.Core.Diagnosis;
using PgMedic.Guard;
using PgMedic.Guard.Configuration;
using PgMedic.Postgres.Collection;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Diagnosis;

/// <summary>
/// A real lock chain inside a service guarded by PgMedic.Guard: the head checked out in one method, its
/// waiters in another, next to a query that really runs long. The diagnosis is joined with the guard's
/// holders by backend PID, as the demo and <c>diagnose --pool-endpoint</c> do.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class LockChainFindingsTests(SandboxFixture fixture)
{
    private static readonly DiagnosisOptions Options = new() { LongQueryWarning = TimeSpan.FromSeconds(1), BlockingWarning = TimeSpan.FromSeconds(1) };

    private PostgresSandbox Sandbox => fixture.Sandbox;

    [Fact]
    public async Task Diagnose_GuardedServiceLockChain_FixNamesHeadPidCallSiteIsHeadsAndWaitersAreNoLongQueries()
    {
        await Sandbox.ExecuteAsync("CREATE TABLE IF NOT EXISTS lockgraph_orders (id int PRIMARY KEY, total int); INSERT INTO lockgraph_orders VALUES (1, 10) ON CONFLICT DO NOTHING");
        await using var guard = GuardedDataSource.Create(new GuardOptions
        {
            ConnectionString = Sandbox.SuperuserTarget.ToNpgsqlConnectionString("checkout-api", pooling: true),
            Name = "checkout-api",
        });
        var head = await MigrateAsync(guard);
        var waiters = new[] { await QueueBehindAsync(guard), await QueueBehindAsync(guard) };
        await using var report = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 1, "report-job");
        var sleeping = new NpgsqlCommand("SELECT pg_sleep(60)", report.Connections[0]).ExecuteNonQueryAsync();
        await ServerState.WaitUntilAsync(Sandbox, "(SELECT count(*) FROM pg_stat_activity WHERE application_name = 'checkout-api' AND wait_event_type = 'Lock') = 2 AND EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'report-job' AND wait_event = 'PgSleep')");
        await Task.Delay(1200);
        var headPid = head.ProcessID;
        var waiterPids = waiters.Select(w => w.Connection.ProcessID).Order().ToList();

        var (diagnosis, _) = await DiagnosisRunner.RunWithSnapshotAsync(Sandbox.SuperuserTarget, TimeSpan.FromSeconds(10), Options, null, CancellationToken.None);
        var findings = HolderJoin.Annotate(diagnosis.Findings, [PoolOf(guard)]);
        var table = Render(diagnosis with { Findings = findings });
        var cancel = await CliRun.InvokeAsync("cancel", Sandbox.SuperuserTarget.ToUrl(), "--running-for", "1s", "--include-superusers", "--format", "json");
        await Sandbox.ExecuteAsync($"SELECT pg_cancel_backend({report.Pids[0]})");
        await Assert.ThrowsAsync<PostgresException>(() => sleeping);
        var chain = Assert.Single(findings, f => f.Code == FindingCodes.BlockingChain);

        // The fix as diagnose prints it, typed in: it ends the head, and the waiters' updates go through.
        var fix = FixText.Of(chain.Fix).Split(' ');
        var audit = Path.Combine(Path.GetTempPath(), $"pgmedic-lockgraph-{Guid.NewGuid():N}.jsonl");
        var terminate = await CliRun.InvokeAsync([fix[1], Sandbox.SuperuserTarget.ToUrl(), .. fix[2..], "--include-superusers", "--yes", "--audit-log", audit, "--format", "json"]);
        File.Delete(audit);
        var updated = await Task.WhenAll(waiters.Select(w => w.Update)).WaitAsync(TimeSpan.FromSeconds(10));
        var headEnded = await Assert.ThrowsAsync<PostgresException>(() => head.DisposeAsync().AsTask());
        foreach (var waiter in waiters)
        {
            await waiter.Connection.DisposeAsync();
        }

        Assert.True(terminate.ExitCode == 0, terminate.All);
        using (var ran = JsonDocument.Parse(terminate.Out))
        {
            var result = Assert.Single(ran.RootElement.GetProperty("steps")[0].GetProperty("results").EnumerateArray());
            Assert.Equal((headPid, "terminated"), (result.GetProperty("action").GetProperty("pid").GetInt32(), result.GetProperty("result").GetString()));
        }

        Assert.All(updated, rows => Assert.Equal(1, rows));
        Assert.Equal(PostgresErrorCodes.AdminShutdown, headEnded.SqlState);
        Assert.Equal(headPid, chain.Fix.Options?.Pid);
        Assert.StartsWith($"pgmedic terminate --blocking --pid {headPid} ", FixText.Of(chain.Fix), StringComparison.Ordinal);
        var holder = Assert.Single(chain.Holders ?? []);
        Assert.Equal((headPid, nameof(MigrateAsync)), (holder.BackendPid, holder.CallSite.Member));
        Assert.Matches($@"^pid {headPid} blocks 2 session\(s\).* — held at LockChainFindingsTests\.cs:\d+ \(MigrateAsync\)$", chain.Summary);
        Assert.DoesNotContain(nameof(QueueBehindAsync), string.Join('\n', [chain.Summary, .. chain.Evidence]), StringComparison.Ordinal);

        var slow = Assert.Single(findings, f => f.Code == FindingCodes.LongRunningQuery);
        Assert.Equal(report.Pids, slow.Pids);
        Assert.StartsWith("1 query running for over 1s", slow.Summary, StringComparison.Ordinal);
        Assert.Contains($"not counted: 2 session(s) waiting behind pid {headPid} (pids {string.Join(", ", waiterPids)}) — see blocking-chain", slow.Evidence);
        Assert.Null(slow.Holders);

        Assert.Matches($@"WARNING blocking-chain: pid {headPid} blocks 2 session\(s\).*held at LockChainFindingsTests\.cs:\d+ \(MigrateAsync\)", table);
        Assert.Contains($"fix: pgmedic terminate --blocking --pid {headPid} --waiting-for 1s", table, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(QueueBehindAsync), table, StringComparison.Ordinal);

        using var plan = JsonDocument.Parse(cancel.Out);
        var planned = plan.RootElement.GetProperty("steps")[0].GetProperty("plan").GetProperty("actions").EnumerateArray().Select(a => a.GetProperty("pid").GetInt32()).ToList();
        Assert.Equal(report.Pids, planned);
    }

    /// <summary>A migration that took the row lock and has not committed: the chain's head.</summary>
    private static async Task<NpgsqlConnection> MigrateAsync(GuardedDataSource guard)
    {
        var connection = await guard.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("BEGIN; UPDATE lockgraph_orders SET total = total + 1 WHERE id = 1", connection);
        await command.ExecuteNonQueryAsync();
        return connection;
    }

    /// <summary>A checkout whose update queues behind the migration's lock: a waiter, not where the lock is held.</summary>
    private static async Task<(NpgsqlConnection Connection, Task<int> Update)> QueueBehindAsync(GuardedDataSource guard)
    {
        var connection = await guard.OpenConnectionAsync();
        var update = new NpgsqlCommand("UPDATE lockgraph_orders SET total = total + 1 WHERE id = 1", connection).ExecuteNonQueryAsync();
        return (connection, update);
    }

    /// <summary>The guard's holders as its <c>/health/pool</c> lists them.</summary>
    private static AppPool PoolOf(GuardedDataSource guard)
    {
        var holders = guard.Holders
            .Select(h => new AppHolder(guard.Name, h.BackendPid, new AppCallSite(h.CallSite.File, h.CallSite.Line, h.CallSite.Member), h.Age.TotalSeconds, h.Leaked))
            .ToList();
        var statistics = guard.Statistics;
        return new AppPool("in-process://checkout-api", guard.Name, statistics.PoolSize, statistics.MaxConnections, statistics.CheckedOut, statistics.Idle, statistics.Waiting, statistics.Timeouts, statistics.Leaks, holders, null);
    }

    private static string Render(DiagnosisReport report)
    {
        var output = new StringWriter();
        DiagnoseRenderer.Render(report, OutputFormat.Table, new CliContext(output, TextWriter.Null, _ => null, null, IsTerminal: false, TimeProvider.System));
        return output.ToString();
    }
}
