using PgMedic.Guard.Errors;

namespace PgMedic.Guard.Tests.Admission;

[Collection(GuardSandboxCollection.Name)]
public sealed class MaintenanceAndResizeTests(GuardSandboxFixture fixture)
{
    [Fact]
    public async Task EnterMaintenance_ConnectionsCheckedOut_NewCheckoutsAndWaitersFailFastExistingFinish()
    {
        await using var guard = Guards.Create(fixture.Sandbox, "maintenance", o => (o.PoolSize, o.MaxOverflow) = (1, 0));
        var existing = await guard.OpenConnectionAsync();
        var waiter = guard.OpenConnectionAsync().AsTask();
        await Guards.EventuallyAsync(() => guard.Statistics.Waiting == 1, "waiter queued");

        guard.EnterMaintenance("database restart");

        var queued = await Assert.ThrowsAsync<MaintenanceModeException>(() => waiter);
        var fresh = await Assert.ThrowsAsync<MaintenanceModeException>(async () => await guard.OpenConnectionAsync());
        Assert.Contains("maintenance mode (database restart)", fresh.Message, StringComparison.Ordinal);
        Assert.Contains("maintenance mode", queued.Message, StringComparison.Ordinal);
        Assert.Equal(1, await Guards.SelectOneAsync(existing));
        Assert.True(guard.Statistics.Maintenance);
        await existing.DisposeAsync();

        guard.ExitMaintenance();
        await using var after = await guard.OpenConnectionAsync();
        Assert.Equal(1, await Guards.SelectOneAsync(after));
    }

    [Fact]
    public async Task Create_MaintenanceModeVariableSet_StartsRefusingCheckouts()
    {
        await using var guard = Guards.Create(fixture.Sandbox, "maintenance-start", o => o.MaintenanceMode = true);

        var error = await Assert.ThrowsAsync<MaintenanceModeException>(async () => await guard.OpenConnectionAsync());

        Assert.Contains("MAINTENANCE_MODE", error.Message, StringComparison.Ordinal);
        Assert.Empty(await Guards.ServerPidsAsync(fixture.Sandbox, "maintenance-start"));
    }

    [Fact]
    public async Task Resize_GrowWhileCheckoutsWait_WaitersServedWithoutRestart()
    {
        await using var guard = Guards.Create(fixture.Sandbox, "grow", o => (o.PoolSize, o.MaxOverflow) = (1, 0));
        var held = await guard.OpenConnectionAsync();
        var waiters = Enumerable.Range(0, 3).Select(_ => guard.OpenConnectionAsync().AsTask()).ToList();
        await Guards.EventuallyAsync(() => guard.Statistics.Waiting == 3, "three waiting");

        guard.Resize(poolSize: 4, maxOverflow: 2);

        var served = await Task.WhenAll(waiters);
        var statistics = guard.Statistics;
        Assert.Equal((4, 2, 4, 0), (statistics.PoolSize, statistics.MaxOverflow, statistics.CheckedOut, statistics.Waiting));

        // Beyond the first inner pool's maximum: two more at once, into overflow.
        var more = await Task.WhenAll(guard.OpenConnectionAsync().AsTask(), guard.OpenConnectionAsync().AsTask());
        Assert.Equal((6, 2), (guard.Statistics.CheckedOut, guard.Statistics.Overflow));
        foreach (var connection in served.Concat(more).Append(held))
        {
            Assert.Equal(1, await Guards.SelectOneAsync(connection));
            await connection.DisposeAsync();
        }
    }

    [Fact]
    public async Task Resize_ShrinkBelowCheckedOut_ExistingFinishNewOnesWaitUntilBelowTheNewLimit()
    {
        await using var guard = Guards.Create(fixture.Sandbox, "shrink", o => (o.PoolSize, o.MaxOverflow) = (3, 0));
        var held = new[] { await guard.OpenConnectionAsync(), await guard.OpenConnectionAsync(), await guard.OpenConnectionAsync() };

        guard.Resize(poolSize: 1, maxOverflow: 0);
        var waiter = guard.OpenConnectionAsync().AsTask();
        await Guards.EventuallyAsync(() => guard.Statistics.Waiting == 1, "waiting after shrink");
        await held[0].DisposeAsync();
        await held[1].DisposeAsync();
        Assert.Equal(1, guard.Statistics.Waiting);
        Assert.False(waiter.IsCompleted);
        Assert.Equal(1, await Guards.SelectOneAsync(held[2]));
        await held[2].DisposeAsync();
        await using var served = await waiter;

        Assert.Equal(1, await Guards.SelectOneAsync(served));
        Assert.Equal((1, 1, 0), (guard.Statistics.PoolSize, guard.Statistics.CheckedOut, guard.Statistics.Waiting));
    }

    [Fact]
    public async Task PrePing_ServerTerminatedAnIdleConnection_ReplacedBeforeItIsHandedOut()
    {
        const string App = "pre-ping";
        await using var guard = Guards.Create(fixture.Sandbox, App, o => (o.PoolSize, o.MaxOverflow, o.PrePing) = (1, 0, true));
        int oldPid;
        await using (var first = await guard.OpenConnectionAsync())
        {
            oldPid = first.ProcessID;
        }

        await TerminateAsync(oldPid);
        await using var connection = await guard.OpenConnectionAsync();

        Assert.Equal(1, await Guards.SelectOneAsync(connection));
        Assert.NotEqual(oldPid, connection.ProcessID);
        Assert.Equal(1, guard.Statistics.PrePingReplacements);
        Assert.Equal([connection.ProcessID], await Guards.ServerPidsAsync(fixture.Sandbox, App));
    }

    [Fact]
    public async Task PrePingOff_ServerTerminatedAnIdleConnection_UserGetsTheDeadConnection()
    {
        await using var guard = Guards.Create(fixture.Sandbox, "no-pre-ping", o => (o.PoolSize, o.MaxOverflow, o.PrePing) = (1, 0, false));
        int oldPid;
        await using (var first = await guard.OpenConnectionAsync())
        {
            oldPid = first.ProcessID;
        }

        await TerminateAsync(oldPid);
        await using var connection = await guard.OpenConnectionAsync();

        // What pre-ping prevents: the first command fails on a connection the pool still thought healthy.
        await Assert.ThrowsAnyAsync<Npgsql.NpgsqlException>(() => Guards.SelectOneAsync(connection));
        Assert.Equal(0, guard.Statistics.CheckedOut);
    }

    private async Task TerminateAsync(int pid)
    {
        await fixture.Sandbox.ExecuteAsync($"SELECT pg_terminate_backend({pid})");
        await Guards.EventuallyAsync(() => !PidAlive(pid), $"backend {pid} gone");
    }

    private static bool PidAlive(int pid) => Directory.Exists($"/proc/{pid}");
}
