using PgMedic.Core.Activity;
using PgMedic.Core.Snapshots;
using PgMedic.Testing;

namespace PgMedic.Core.Tests.Activity;

public sealed class TopFrameTests
{
    private static readonly Snapshot Busy = FakeSnapshots.Of(
    [
        FakeSnapshots.Client(1, SessionStates.Active, TimeSpan.FromSeconds(5), application: "zeta"),
        FakeSnapshots.Client(2, SessionStates.Active, TimeSpan.FromMinutes(3), application: "alpha"),
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
        Assert.Equal([2, 4, 5, 1], TopFrame.From(Busy).Running.Select(s => s.Pid));
    }

    [Fact]
    public void From_SortByApplication_AToZThenReversed()
    {
        var byName = TopFrame.From(Busy, TopQuery.Default with { Sort = TopSort.Application });
        var reversed = TopFrame.From(Busy, TopQuery.Default with { Sort = TopSort.Application, Reversed = true });

        Assert.Equal([2, 4, 5, 1], byName.Running.Select(s => s.Pid));
        Assert.Equal(["alpha", "checkout", "checkout", "zeta"], byName.Running.Select(s => s.ApplicationName));
        Assert.Equal("zeta", reversed.Running[0].ApplicationName);
    }

    [Fact]
    public void From_BusyServer_IdleInTransactionOldestTransactionFirstIncludingAborted()
    {
        Assert.Equal([3, 6], TopFrame.From(Busy, TopQuery.Default with { Mode = DurationMode.Transaction }).IdleInTransaction.Select(s => s.Pid));
    }

    [Fact]
    public void From_ChainOfWaiters_OneTreeHeadedByTheIdleTransaction()
    {
        var frame = TopFrame.From(Busy);

        var tree = Assert.Single(frame.Trees);
        Assert.Equal(3, tree.Tree.Pid);
        Assert.Equal("migration", tree.Head?.ApplicationName);
        Assert.Equal(4, Assert.Single(tree.Tree.Children).Pid);
        Assert.Equal(5, Assert.Single(tree.Tree.Children[0].Children).Pid);
        Assert.Equal(2, tree.Tree.Behind);
        Assert.Equal(TimeSpan.FromSeconds(40), tree.LongestWait);
        Assert.Equal([4, 5], frame.Waiting.Select(s => s.Pid));
        Assert.Equal([(3, 1, 2), (4, 1, 1)], frame.Blocking.Select(b => (b.Session.Pid, b.Direct, b.Behind)));
    }

    [Fact]
    public void From_FilterByApplicationAndMinimumRunning_OnlyThoseShown()
    {
        var checkout = TopFrame.From(Busy, new TopQuery(new ActivityFilter([], Application: "checkout")));
        var longRunning = TopFrame.From(Busy, TopQuery.Default with { RunningFor = TimeSpan.FromSeconds(30) });

        Assert.Equal([4, 5], checkout.Running.Select(s => s.Pid));
        Assert.Empty(checkout.IdleInTransaction);
        Assert.Single(checkout.Trees);
        Assert.Equal([2, 4], longRunning.Running.Select(s => s.Pid));
    }

    [Fact]
    public void From_WaitStartLaterThanQueryStart_WaitAgeFromWaitStart()
    {
        var waiter = FakeSnapshots.Client(4, SessionStates.Active, TimeSpan.FromSeconds(40), blockedBy: [3]) with { WaitStart = FakeSnapshots.Now - TimeSpan.FromSeconds(7) };
        var frame = TopFrame.From(FakeSnapshots.Of([FakeSnapshots.Client(3, SessionStates.IdleInTransaction, TimeSpan.FromMinutes(1)), waiter]));

        Assert.Equal(TimeSpan.FromSeconds(7), frame.Trees[0].LongestWait);
        Assert.Equal(TimeSpan.FromSeconds(40), waiter.QueryAge(FakeSnapshots.Now));
    }
}
