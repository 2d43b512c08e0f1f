using System.Net;
using PgMedic.Core.Remediation;
using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Tests.Remediation;

public sealed class SessionSelectionTests
{
    private static readonly SessionInfo OldIdle = Snapshots.Client(SessionStates.Idle, TimeSpan.FromMinutes(10), application: "api", pid: 1);
    private static readonly SessionInfo NewIdle = Snapshots.Client(SessionStates.Idle, TimeSpan.FromMinutes(1), application: "api", pid: 2);
    private static readonly SessionInfo OldTx = Snapshots.Client(SessionStates.IdleInTransaction, TimeSpan.FromMinutes(10), application: "worker", pid: 3);
    private static readonly SessionInfo Aborted = Snapshots.Client(SessionStates.IdleInTransactionAborted, TimeSpan.FromMinutes(10), application: "worker", pid: 4);
    private static readonly SessionInfo LongQuery = Snapshots.Client(SessionStates.Active, TimeSpan.FromMinutes(10), application: "report", pid: 5) with { ClientAddress = "192.168.7.9" };
    private static readonly Snapshot Snapshot = Snapshots.Of(Snapshots.Server(), OldIdle, NewIdle, OldTx, Aborted, LongQuery);

    [Theory]
    [InlineData("idle", 300, new[] { 1 })]
    [InlineData("idle", 30, new[] { 1, 2 })]
    [InlineData("idle-in-transaction", 300, new[] { 3, 4 })]
    [InlineData("active", 300, new[] { 5 })]
    public void Match_StateAndAge(string state, int seconds, int[] expected)
    {
        var selection = new SessionSelection { State = state, InStateFor = TimeSpan.FromSeconds(seconds) };

        Assert.Equal(expected, selection.Match(Snapshot).Select(s => s.Pid));
    }

    [Fact]
    public void Match_ApplicationUserAndClientNetwork()
    {
        Assert.Equal([3, 4], new SessionSelection { Application = "worker" }.Match(Snapshot).Select(s => s.Pid));
        Assert.Equal([5], new SessionSelection { Client = IPNetwork.Parse("192.168.0.0/16") }.Match(Snapshot).Select(s => s.Pid));
        Assert.Empty(new SessionSelection { User = "nobody" }.Match(Snapshot));
    }

    [Fact]
    public void Match_RunningFor_OnlyActiveQueries()
    {
        Assert.Equal([5], new SessionSelection { RunningFor = TimeSpan.FromMinutes(5) }.Match(Snapshot).Select(s => s.Pid));
    }

    [Fact]
    public void Match_RunningFor_LockWaitersLeftOutUnlessNamedByPid()
    {
        var head = Snapshots.Client(SessionStates.IdleInTransaction, TimeSpan.FromMinutes(20), pid: 10);
        var waiter = Snapshots.Client(SessionStates.Active, TimeSpan.FromMinutes(10), pid: 11, blockedBy: [10]);
        var snapshot = Snapshots.Of(Snapshots.Server(), head, waiter, LongQuery);

        Assert.Equal([5], new SessionSelection { RunningFor = TimeSpan.FromMinutes(5) }.Match(snapshot).Select(s => s.Pid));
        Assert.Equal([11], new SessionSelection { RunningFor = TimeSpan.FromMinutes(5), Pid = 11 }.Match(snapshot).Select(s => s.Pid));
        Assert.Equal("running ≥ 5m (not waiting on a lock)", new SessionSelection { RunningFor = TimeSpan.FromMinutes(5) }.Describe());
    }

    [Fact]
    public void Match_BlockingWithPid_OnlyThatHead()
    {
        var snapshot = Snapshots.Of(
            Snapshots.Server(),
            Snapshots.Client(SessionStates.IdleInTransaction, TimeSpan.FromMinutes(2), pid: 10),
            Snapshots.Client(SessionStates.Active, TimeSpan.FromSeconds(40), pid: 11, blockedBy: [10]),
            Snapshots.Client(SessionStates.IdleInTransaction, TimeSpan.FromMinutes(2), pid: 20),
            Snapshots.Client(SessionStates.Active, TimeSpan.FromSeconds(40), pid: 21, blockedBy: [20]));

        Assert.Equal([20], new SessionSelection { BlockingWaitingFor = TimeSpan.FromSeconds(30), Pid = 20 }.Match(snapshot).Select(s => s.Pid));
        Assert.Empty(new SessionSelection { BlockingWaitingFor = TimeSpan.FromSeconds(30), Pid = 21 }.Match(snapshot));
    }

    [Fact]
    public void Match_Blocking_OnlyHeadsWhoseWaitersWaitedLongEnough()
    {
        var head = Snapshots.Client(SessionStates.IdleInTransaction, TimeSpan.FromMinutes(2), pid: 10);
        var waiter = Snapshots.Client(SessionStates.Active, TimeSpan.FromSeconds(40), pid: 11, blockedBy: [10]);
        var freshHead = Snapshots.Client(SessionStates.Active, TimeSpan.FromSeconds(2), pid: 20);
        var freshWaiter = Snapshots.Client(SessionStates.Active, TimeSpan.FromSeconds(2), pid: 21, blockedBy: [20]);
        var snapshot = Snapshots.Of(Snapshots.Server(), head, waiter, freshHead, freshWaiter);

        Assert.Equal([10], new SessionSelection { BlockingWaitingFor = TimeSpan.FromSeconds(30) }.Match(snapshot).Select(s => s.Pid));
    }

    [Theory]
    [InlineData("idle in transaction", "idle-in-transaction")]
    [InlineData("IDLE", "idle")]
    [InlineData(null, null)]
    public void NormalizeState_AcceptsBothSpellings(string? text, string? expected) =>
        Assert.Equal(expected, SessionSelection.NormalizeState(text));

    [Fact]
    public void NormalizeState_Unknown_NamesTheChoices() =>
        Assert.Contains("idle, idle-in-transaction, active", Assert.Throws<ArgumentException>(() => SessionSelection.NormalizeState("sleeping")).Message, StringComparison.Ordinal);
}
