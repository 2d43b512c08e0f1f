using PgMedic.Core.Activity;
using PgMedic.Core.Snapshots;
using PgMedic.Testing;

namespace PgMedic.Core.Tests.Activity;

public sealed class TopFrameTests
{
    private static readonly Snapshot Busy = FakeSnapshots.Of(
    [
        FakeSnapshots.Client(1, SessionStates.Active, TimeSpan.FromSeconds(5)),
        FakeSnapshots.Client(2, SessionStates.Active, TimeSpan.FromMinutes(3)),
        FakeSnapshots.Client(3, SessionStates.IdleInTransaction, TimeSpan.FromMinutes(1), transaction: TimeSpan.FromMinutes(4), application: "migration"),
        FakeSnapshots.Client(4, SessionStates.Active, TimeSpan.FromSeconds(40), application: "checkout", blockedBy: [3]),
        FakeSnapshots.Client(5, SessionStates.Active, TimeSpan.FromSeconds(20), application: "checkout", blockedBy: [4]),
        FakeSnapshots.Client(6, SessionStates.IdleInTransactionAborted, TimeSpan.FromSeconds(30), transaction: TimeSpan.FromSeconds(50)),
        FakeSnapshots.Client(7, SessionStates.Idle, TimeSpan.FromMinutes(9)),
        FakeSnapshots.Background(8),
    ]);

    [Fact]
    public void From_BusyServer_UsageCountsClientBackendsAgainstUsableSlots()
    {
        var frame = TopFrame.From(Busy);

        Assert.Equal(7, frame.Usage.ClientBackends);
        Assert.Equal(37, frame.Usage.UsableSlots);
        Assert.Equal(4, frame.Usage.ByState[SessionStates.Active]);
        Assert.Equal(1, frame.Usage.OtherBackends);
    }

    [Fact]
    public void From_BusyServer_RunningLongestFirst()
    {
        var frame = TopFrame.From(Busy);

        Assert.Equal([2, 4, 5, 1], frame.Running.Rows.Select(s => s.Pid));
    }

    [Fact]
    public void From_BusyServer_IdleInTransactionOldestTransactionFirstIncludingAborted()
    {
        var frame = TopFrame.From(Busy);

        Assert.Equal([3, 6], frame.IdleInTransaction.Rows.Select(s => s.Pid));
    }

    [Fact]
    public void From_ChainOfWaiters_OneChainHeadedByTheIdleTransaction()
    {
        var frame = TopFrame.From(Busy);

        var chain = Assert.Single(frame.Blocking.Rows);
        Assert.Equal(3, chain.HeadPid);
        Assert.Equal("migration", chain.Head?.ApplicationName);
        Assert.Equal([4, 5], chain.WaiterPids);
        Assert.Equal(TimeSpan.FromSeconds(40), chain.LongestWait);
    }

    [Fact]
    public void From_MoreRowsThanFit_PaneSaysHowManyAreNotShown()
    {
        var frame = TopFrame.From(Busy, rowsPerPane: 2);

        Assert.Equal(2, frame.Running.Rows.Count);
        Assert.Equal(4, frame.Running.Total);
        Assert.Equal(2, frame.Running.NotShown);
    }
}
