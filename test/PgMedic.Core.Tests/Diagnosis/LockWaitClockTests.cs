using PgMedic.Core.Checks;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Remediation;
using PgMedic.Core.Snapshots;
using PgMedic.Testing;

namespace PgMedic.Core.Tests.Diagnosis;

/// <summary>Lock waits from pg_locks.waitstart where the server has it (14+), else from query_start, said so.</summary>
public sealed class LockWaitClockTests
{
    private static readonly SessionInfo Head = FakeSnapshots.Client(10, SessionStates.IdleInTransaction, TimeSpan.FromMinutes(5));

    // The statement started 2 minutes ago and queued for the lock only 20 seconds ago.
    private static readonly SessionInfo Waiter = FakeSnapshots.Client(11, SessionStates.Active, TimeSpan.FromMinutes(2), blockedBy: [10]) with
    {
        WaitStart = FakeSnapshots.Now - TimeSpan.FromSeconds(20),
    };

    [Theory]
    [InlineData(90624, LockWaitClock.QueryStart)]
    [InlineData(130014, LockWaitClock.QueryStart)]
    [InlineData(139999, LockWaitClock.QueryStart)]
    [InlineData(140000, LockWaitClock.WaitStart)]
    [InlineData(150018, LockWaitClock.WaitStart)]
    [InlineData(170002, LockWaitClock.WaitStart)]
    public void For_ServerVersion_WaitStartFromFourteen(int versionNumber, LockWaitClock expected)
    {
        Assert.Equal(expected, LockWaitClocks.For(versionNumber));
    }

    [Fact]
    public void Caveat_QueryStartOnly_SaysSoWaitStartSaysNothing()
    {
        Assert.Contains("query_start", LockWaitClocks.Caveat(LockWaitClock.QueryStart), StringComparison.Ordinal);
        Assert.Null(LockWaitClocks.Caveat(LockWaitClock.WaitStart));
    }

    [Fact]
    public void LockWaitAge_WaitStartKnown_FromWaitStartElseQueryStart()
    {
        Assert.Equal(TimeSpan.FromSeconds(20), Waiter.LockWaitAge(FakeSnapshots.Now));
        Assert.Equal(TimeSpan.FromMinutes(2), (Waiter with { WaitStart = null }).LockWaitAge(FakeSnapshots.Now));
        Assert.Null(Head.LockWaitAge(FakeSnapshots.Now));
    }

    [Fact]
    public void BlockingChain_WaitStart_SeverityAndSummaryFromTheWaitNotTheStatement()
    {
        var finding = Assert.Single(Diagnoser.Diagnose(FakeSnapshots.Of([Head, Waiter]), new DiagnosisOptions()), f => f.Code == FindingCodes.BlockingChain);

        Assert.Contains("the longest has waited 20s", finding.Summary, StringComparison.Ordinal);
        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Contains(finding.Evidence, e => e.StartsWith("└─ waiting 20s: pid 11", StringComparison.Ordinal));
    }

    [Fact]
    public void BlockingChain_OldServer_QueryStartAndSaysSo()
    {
        var snapshot = FakeSnapshots.Of([Head, Waiter with { WaitStart = null }]) with { LockWaitClock = LockWaitClock.QueryStart };

        var finding = Assert.Single(Diagnoser.Diagnose(snapshot, new DiagnosisOptions()), f => f.Code == FindingCodes.BlockingChain);

        Assert.Contains("the longest has waited 2m", finding.Summary, StringComparison.Ordinal);
        Assert.Contains(finding.Evidence, e => e.Contains("PostgreSQL before 14 has no pg_locks.waitstart", StringComparison.Ordinal));
    }

    [Fact]
    public void BlockingChain_HeadWithThreeWaiters_EvidenceDrawsTheTree()
    {
        var waiters = Enumerable.Range(21, 3).Select(pid => FakeSnapshots.Client(pid, SessionStates.Active, TimeSpan.FromSeconds(pid - 10), blockedBy: [20])).ToList();
        var snapshot = FakeSnapshots.Of([FakeSnapshots.Client(20, SessionStates.IdleInTransaction, TimeSpan.FromMinutes(1)), .. waiters]);

        var finding = Assert.Single(Diagnoser.Diagnose(snapshot, new DiagnosisOptions()), f => f.Code == FindingCodes.BlockingChain);

        Assert.StartsWith("head: pid 20", finding.Evidence[0], StringComparison.Ordinal);
        Assert.StartsWith("├─ waiting 11s: pid 21", finding.Evidence[1], StringComparison.Ordinal);
        Assert.StartsWith("├─ waiting 12s: pid 22", finding.Evidence[2], StringComparison.Ordinal);
        Assert.StartsWith("└─ waiting 13s: pid 23", finding.Evidence[3], StringComparison.Ordinal);
    }

    [Fact]
    public void TerminateBlocking_WaitingFor_MeasuredFromWaitStart()
    {
        var snapshot = FakeSnapshots.Of([Head, Waiter]);

        Assert.Empty(new SessionSelection { BlockingWaitingFor = TimeSpan.FromSeconds(30) }.Match(snapshot));
        Assert.Equal(10, Assert.Single(new SessionSelection { BlockingWaitingFor = TimeSpan.FromSeconds(15) }.Match(snapshot)).Pid);
    }

    [Fact]
    public void CheckBlocking_WaitStart_WarningOnlyPastTheWait()
    {
        var snapshot = FakeSnapshots.Of([Head, Waiter]);

        Assert.Equal(PgMedic.Core.Common.ExitCode.Ok, PluginChecks.Blocking(snapshot, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5)).Status);
        Assert.Equal(PgMedic.Core.Common.ExitCode.Warning, PluginChecks.Blocking(snapshot, TimeSpan.FromSeconds(15), TimeSpan.FromMinutes(5)).Status);
    }

    [Fact]
    public void Trees_WaiterBlockedByTwo_DrawnOnceUnderTheNearest()
    {
        var sessions = new List<SessionInfo>
        {
            FakeSnapshots.Client(1, SessionStates.IdleInTransaction, TimeSpan.FromMinutes(1)),
            FakeSnapshots.Client(2, SessionStates.Active, TimeSpan.FromSeconds(9), blockedBy: [1]),
            FakeSnapshots.Client(3, SessionStates.Active, TimeSpan.FromSeconds(8), blockedBy: [1, 2]),
            FakeSnapshots.Client(4, SessionStates.Active, TimeSpan.FromSeconds(7), blockedBy: [3]),
        };

        var tree = Assert.Single(LockGraph.Trees(sessions));
        var lines = LockGraph.Draw(tree).Select(l => l.Prefix + l.Node.Pid).ToList();

        Assert.Equal(["1", "├─ 2", "└─ 3", "   └─ 4"], lines);
        Assert.Equal(3, tree.Behind);
    }
}
