using PgMedic.Core.Activity;
using PgMedic.Core.Snapshots;
using PgMedic.Testing;

namespace PgMedic.Core.Tests.Activity;

public sealed class ActivityReportTests
{
    [Fact]
    public void From_MixedSessions_OldestStateChangeFirstWithAges()
    {
        var snapshot = FakeSnapshots.Of(
        [
            FakeSnapshots.Client(10, SessionStates.Active, TimeSpan.FromSeconds(3)),
            FakeSnapshots.Client(11, SessionStates.Idle, TimeSpan.FromMinutes(12)),
            FakeSnapshots.Client(12, SessionStates.IdleInTransaction, TimeSpan.FromMinutes(2), transaction: TimeSpan.FromMinutes(3)),
            FakeSnapshots.Background(13),
        ]);

        var report = ActivityReport.From("postgres://app:***@db/shop", snapshot, ActivityFilter.Everything);

        Assert.Equal([11, 12, 10], report.Sessions.Select(s => s.Pid));
        Assert.Equal(4, report.Total);
        Assert.Equal(3, report.Count);
        Assert.Equal(720, report.Sessions[0].StateAgeSeconds);
        Assert.Equal(180, report.Sessions[1].TransactionAgeSeconds);
        Assert.Null(report.Sessions[0].TransactionAgeSeconds);
    }

    [Fact]
    public void From_AllBackends_BackgroundWithoutStateChangeListedLast()
    {
        var snapshot = FakeSnapshots.Of([FakeSnapshots.Background(5), FakeSnapshots.Client(20, SessionStates.Idle, TimeSpan.FromSeconds(1))]);

        var report = ActivityReport.From("t", snapshot, ActivityFilter.Everything with { AllBackends = true });

        Assert.Equal([20, 5], report.Sessions.Select(s => s.Pid));
    }
}
