using PgMedic.Core.Diagnosis;
using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Tests.Diagnosis;

public sealed class SessionGroupsTests
{
    [Fact]
    public void From_ClientBackendsOnly_CountedByStateLargestGroupFirstTiesByNameOldestStateAge()
    {
        var snapshot = Snapshots.Of(
            Snapshots.Server(),
            [
                .. Snapshots.Many(3, SessionStates.Idle, TimeSpan.FromSeconds(10), application: "worker"),
                Snapshots.Client(SessionStates.Active, TimeSpan.FromSeconds(2.25), application: "api"),
                Snapshots.Client(SessionStates.IdleInTransaction, TimeSpan.FromSeconds(95.04), application: "api", user: "export"),
                Snapshots.Client(SessionStates.IdleInTransactionAborted, TimeSpan.FromSeconds(1), application: "api"),
                Snapshots.Client("fastpath function call", TimeSpan.FromSeconds(1), application: "", database: "audit"),
                Snapshots.Client(SessionStates.Idle, TimeSpan.FromSeconds(1), application: "autovacuum", backendType: "autovacuum worker"),
            ]);

        var groups = SessionGroups.From(snapshot);

        Assert.Equal(
            [
                new SessionGroup("api", 3, 1, 0, 2, 0, 95.0),
                new SessionGroup("worker", 3, 0, 3, 0, 0, 10.0),
                new SessionGroup(SessionGroups.NoApplicationName, 1, 0, 0, 0, 1, 1.0),
            ],
            groups.ByApplication);
        Assert.Equal([("app", 6), ("export", 1)], groups.ByUser.Select(g => (g.Name, g.Total)));
        Assert.Equal([("shop", 6), ("audit", 1)], groups.ByDatabase.Select(g => (g.Name, g.Total)));
        Assert.Equal([("10.0.0.7", 7)], groups.ByClient.Select(g => (g.Name, g.Total)));
    }
}
