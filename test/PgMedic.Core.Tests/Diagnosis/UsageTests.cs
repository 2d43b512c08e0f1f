using PgMedic.Core.Diagnosis;
using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Tests.Diagnosis;

public sealed class UsageTests
{
    [Theory]
    [InlineData(100, 3, 0, 97)]
    [InlineData(100, 3, 5, 92)]
    [InlineData(20, 3, 0, 17)]
    [InlineData(5, 5, 0, 0)]
    public void UsableSlots_SubtractsSuperuserReservedAndReserved(int max, int superuserReserved, int reserved, int expected) =>
        Assert.Equal(expected, Snapshots.Server(max, superuserReserved, reserved).UsableSlots);

    [Fact]
    public void Without_TheProbesBackendSeenWhileItLoggedIn_NotCountedAndAnyOtherPidChangesNothing()
    {
        var sessions = Snapshots.Many(21, SessionStates.Idle, TimeSpan.FromSeconds(5));
        var probe = Snapshots.Client(SessionStates.Active, TimeSpan.Zero, application: "pgmedic", pid: 77);
        var snapshot = Snapshots.Of(Snapshots.Server(28, 3), [.. sessions, probe]);

        Assert.Equal(22, Usage.From(snapshot).ClientBackends);
        Assert.Equal(21, Usage.From(snapshot.Without(77)).ClientBackends);
        Assert.DoesNotContain(snapshot.Without(77).Sessions, s => s.Pid == 77);
        Assert.Same(snapshot, snapshot.Without(78));
        Assert.Same(snapshot, snapshot.Without(null));
    }

    [Fact]
    public void From_ReservedSlotsOnPostgres16_PercentOfUsableNotOfMaxConnections()
    {
        // 100 − 3 − 7 = 90 usable; 81 clients is 90 % of usable but only 81 % of max_connections.
        var snapshot = Snapshots.Of(Snapshots.Server(100, 3, 7), Snapshots.Many(81, SessionStates.Idle, TimeSpan.FromSeconds(5)));

        var usage = Usage.From(snapshot);

        Assert.Equal(90, usage.UsableSlots);
        Assert.Equal(90.0, usage.PercentOfUsable);
        Assert.Equal(9, usage.SlotsLeft);
    }

    [Fact]
    public void From_BackgroundProcesses_NotCountedAsClients()
    {
        var snapshot = Snapshots.Of(
            Snapshots.Server(10, 2),
            Snapshots.Client(SessionStates.Active, TimeSpan.FromHours(3), backendType: BackendTypes.Walsender),
            Snapshots.Client(SessionStates.Active, TimeSpan.FromMinutes(30), backendType: BackendTypes.AutovacuumWorker),
            Snapshots.Client(SessionStates.Active, TimeSpan.FromSeconds(1), backendType: "parallel worker"),
            Snapshots.Client(SessionStates.Idle, TimeSpan.FromSeconds(1)));

        var usage = Usage.From(snapshot);

        Assert.Equal(1, usage.ClientBackends);
        Assert.Equal(3, usage.OtherBackends);
        Assert.Equal(12.5, usage.PercentOfUsable);
    }

    [Fact]
    public void From_SuperusersInReservedSlots_PercentAboveHundred()
    {
        var snapshot = Snapshots.Of(Snapshots.Server(10, 3), Snapshots.Many(9, SessionStates.Idle, TimeSpan.FromSeconds(1)));

        Assert.Equal(128.6, Usage.From(snapshot).PercentOfUsable);
    }

    [Fact]
    public void From_ByState_CountsHiddenStatesSeparately()
    {
        var hidden = Snapshots.Client(SessionStates.Idle, TimeSpan.Zero) with { State = null };
        var snapshot = Snapshots.Of(Snapshots.Server(), [hidden, .. Snapshots.Many(2, SessionStates.Active, TimeSpan.Zero)]);

        var usage = Usage.From(snapshot);

        Assert.Equal(2, usage.ByState[SessionStates.Active]);
        Assert.Equal(1, usage.ByState[SessionStates.Hidden]);
    }
}
