using Npgsql;
using PgMedic.Core.Diagnosis;
using PgMedic.Postgres.Collection;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Postgres.Tests.Collection;

/// <summary>Each finding reproduced for real on the shared sandbox, then diagnosed.</summary>
[Collection(SandboxCollection.Name)]
public sealed class DiagnoseScenarioTests(SandboxFixture fixture)
{
    private PostgresSandbox Sandbox => fixture.Sandbox;

    [Fact]
    public async Task Diagnose_NamedApplicationHoldsIdleConnections_LeakSuspectNamedWithItsPids()
    {
        await using var held = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 6, "leaky-api");

        var findings = await Diagnose.FindingsAsync(Sandbox.SuperuserTarget, later: TimeSpan.FromMinutes(6));

        var leak = Assert.Single(findings, f => f.Code == FindingCodes.IdleConnectionHoarding && f.Subject == "leaky-api");
        Assert.Equal(held.Pids.Order(), leak.Pids.Order());
        Assert.Equal(RunbookStep.IdentifyConnectionLeaks, leak.RunbookStep);
        Assert.Equal((FixVerb.Terminate, "leaky-api", "idle"), (leak.Fix.Verb, leak.Fix.Options?.Application, leak.Fix.Options?.State));
        Assert.Contains("holds 6 connections idle", leak.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diagnose_IdleConnectionsYoungerThanFiveMinutes_NoLeakSuspect()
    {
        await using var held = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 6, "busy-but-fine");

        var findings = await Diagnose.FindingsAsync(Sandbox.SuperuserTarget, later: TimeSpan.FromMinutes(4));

        Assert.DoesNotContain(findings, f => f.Code == FindingCodes.IdleConnectionHoarding);
    }

    [Fact]
    public async Task Diagnose_TransactionLeftOpen_IdleInTransactionWarningThenCritical()
    {
        await using var held = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 1, "forgot-to-commit");
        await held.ExecuteOnEachAsync("BEGIN; SELECT count(*) FROM pg_class;");

        var afterTwoMinutes = await Diagnose.FindingsAsync(Sandbox.SuperuserTarget, later: TimeSpan.FromMinutes(2));
        var afterSixMinutes = await Diagnose.FindingsAsync(Sandbox.SuperuserTarget, later: TimeSpan.FromMinutes(6));

        var warning = Assert.Single(afterTwoMinutes, f => f.Code == FindingCodes.IdleInTransaction);
        Assert.Equal(Severity.Warning, warning.Severity);
        Assert.Equal(held.Pids, warning.Pids);
        Assert.Equal("forgot-to-commit", warning.Subject);
        Assert.Contains("transaction open 2m", warning.Evidence[0], StringComparison.Ordinal);
        Assert.Contains("SELECT count(*) FROM pg_class", warning.Evidence[0], StringComparison.Ordinal);
        Assert.Equal(Severity.Critical, Assert.Single(afterSixMinutes, f => f.Code == FindingCodes.IdleInTransaction).Severity);
        Assert.Contains(afterSixMinutes, f => f.Code == FindingCodes.MissingTimeouts && f.Severity == Severity.Warning);
    }

    [Fact]
    public async Task Diagnose_LockHeldWithWaitersQueued_BlockingChainNamesHeadAndWaitersAreNoLongQueries()
    {
        await Sandbox.ExecuteAsync("CREATE TABLE IF NOT EXISTS chain_orders (id int PRIMARY KEY, total int); INSERT INTO chain_orders VALUES (1, 10) ON CONFLICT DO NOTHING");
        await using var head = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 1, "migration");
        await head.ExecuteOnEachAsync("BEGIN; UPDATE chain_orders SET total = total + 1 WHERE id = 1;");
        await using var waiters = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 2, "checkout-api");
        var blocked = waiters.Connections
            .Select(c => new NpgsqlCommand("UPDATE chain_orders SET total = total + 1 WHERE id = 1", c).ExecuteNonQueryAsync())
            .ToList();
        await ServerState.WaitUntilAsync(Sandbox, "(SELECT count(*) FROM pg_stat_activity WHERE application_name = 'checkout-api' AND wait_event_type = 'Lock') = 2");

        var findings = await Diagnose.FindingsAsync(Sandbox.SuperuserTarget, later: TimeSpan.FromSeconds(30));
        var waitersPastLongQueryWarning = await Diagnose.FindingsAsync(Sandbox.SuperuserTarget, later: TimeSpan.FromMinutes(2));
        await head.ExecuteOnEachAsync("ROLLBACK");
        await Task.WhenAll(blocked);

        var chain = Assert.Single(findings, f => f.Code == FindingCodes.BlockingChain);
        Assert.Equal(head.Pids[0], chain.Pids[0]);
        Assert.Equal(waiters.Pids.Order(), chain.Pids.Skip(1).Order());
        Assert.Equal(Severity.Warning, chain.Severity);
        Assert.Contains("blocks 2 session(s)", chain.Summary, StringComparison.Ordinal);
        Assert.StartsWith("head: pid " + head.Pids[0] + " migration", chain.Evidence[0], StringComparison.Ordinal);
        Assert.Equal((FixVerb.Terminate, true, head.Pids[0]), (chain.Fix.Verb, chain.Fix.Options?.Blocking, chain.Fix.Options?.Pid));
        Assert.DoesNotContain(waitersPastLongQueryWarning, f => f.Code == FindingCodes.LongRunningQuery);
    }

    [Fact]
    public async Task Diagnose_PgSleepRunningLong_LongRunningQueryWithPid()
    {
        await using var held = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 1, "report-job");
        var sleeping = new NpgsqlCommand("SELECT pg_sleep(60)", held.Connections[0]).ExecuteNonQueryAsync();
        await ServerState.WaitUntilAsync(Sandbox, "EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'report-job' AND wait_event = 'PgSleep')");

        var findings = await Diagnose.FindingsAsync(Sandbox.SuperuserTarget, later: TimeSpan.FromMinutes(2));
        await Sandbox.ExecuteAsync($"SELECT pg_cancel_backend({held.Pids[0]})");
        await Assert.ThrowsAsync<PostgresException>(() => sleeping);

        var slow = Assert.Single(findings, f => f.Code == FindingCodes.LongRunningQuery);
        Assert.Equal(held.Pids, slow.Pids);
        Assert.Equal(Severity.Warning, slow.Severity);
        Assert.Contains("pg_sleep(60)", slow.Evidence[0], StringComparison.Ordinal);
        Assert.Equal((FixVerb.Cancel, "1m"), (slow.Fix.Verb, slow.Fix.Options?.RunningFor));
    }

    [Fact]
    public async Task Diagnose_RoleAndDatabaseWithConnectionLimit_LimitFindings()
    {
        await Sandbox.ExecuteAsync("CREATE DATABASE limited_shop CONNECTION LIMIT 5");
        var role = await Sandbox.CreateRoleAsync("limited_worker", "worker-pw", "CONNECTION LIMIT 3", database: "limited_shop");
        var other = await Sandbox.CreateRoleAsync("limited_other", "other-pw", database: "limited_shop");
        await using var held = await HeldConnections.OpenAsync(role, 3, "worker");
        await held.AddAsync(other, 1, "other");

        var findings = await Diagnose.FindingsAsync(Sandbox.SuperuserTarget);

        var roleLimit = Assert.Single(findings, f => f.Code == FindingCodes.RoleLimit);
        Assert.Equal(("limited_worker", Severity.Critical), (roleLimit.Subject, roleLimit.Severity));
        Assert.Equal(3, roleLimit.Pids.Count);
        var databaseLimit = Assert.Single(findings, f => f.Code == FindingCodes.DatabaseLimit);
        Assert.Equal(("limited_shop", Severity.Warning), (databaseLimit.Subject, databaseLimit.Severity));
        Assert.Contains("4 of its 5 allowed", databaseLimit.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Collect_OwnConnection_NeitherListedNorCounted()
    {
        var snapshot = await Diagnose.SnapshotAsync(Sandbox.SuperuserTarget);

        Assert.DoesNotContain(snapshot.Sessions, s => s.Pid == snapshot.CollectorPid);
        Assert.True(snapshot.CollectorPid > 0);
    }

    [Fact]
    public async Task Collect_AfterwardsCollectorSession_LeftNoTransactionOpen()
    {
        var (connection, _) = await PgMedic.Postgres.Probing.Prober.ConnectAsync(Sandbox.SuperuserTarget, TimeSpan.FromSeconds(5), PgMedic.Postgres.Probing.ConnectionSettings.Collector, CancellationToken.None);
        await using (connection!)
        {
            await SnapshotCollector.CollectAsync(connection!, TimeSpan.FromSeconds(5), CancellationToken.None);
            var pid = connection!.ProcessID;

            var snapshot = await Diagnose.SnapshotAsync(Sandbox.SuperuserTarget);

            var collector = Assert.Single(snapshot.Sessions, s => s.Pid == pid);
            Assert.Equal("idle", collector.State);
            Assert.Null(collector.TransactionStart);
            Assert.Equal("pgmedic", collector.ApplicationName);
        }
    }
}
