using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using PgMedic.Guard.Errors;

namespace PgMedic.Guard.Tests.Admission;

[Collection(GuardSandboxCollection.Name)]
public sealed class AdmissionGateTests(GuardSandboxFixture fixture)
{
    [Fact]
    public async Task OpenConnectionAsync_PoolFull_WaitersServedInArrivalOrder()
    {
        await using var guard = Guards.Create(fixture.Sandbox, "fifo", o => (o.PoolSize, o.MaxOverflow) = (1, 0));
        var first = await guard.OpenConnectionAsync();
        var served = new ConcurrentQueue<int>();
        var waiters = new List<Task>();
        for (var i = 0; i < 6; i++)
        {
            var arrival = i;
            waiters.Add(Task.Run(async () =>
            {
                await using var connection = await guard.OpenConnectionAsync();
                served.Enqueue(arrival);
                await Guards.SelectOneAsync(connection);
            }));

            // The next one arrives only once this one is queued, so arrival order is known.
            await Guards.EventuallyAsync(() => guard.Statistics.Waiting == arrival + 1, $"waiter {arrival} queued");
        }

        await first.DisposeAsync();
        await Task.WhenAll(waiters);

        Assert.Equal([0, 1, 2, 3, 4, 5], served);
        Assert.Equal(0, guard.Statistics.CheckedOut);
    }

    [Fact]
    public async Task OpenConnectionAsync_PoolExhaustedPastTimeout_ExceptionListsStatisticsAndHolders()
    {
        var time = new FakeTimeProvider();
        await using var guard = Guards.Create(fixture.Sandbox, "timeout", o => (o.PoolSize, o.MaxOverflow, o.PoolTimeout) = (1, 1, TimeSpan.FromSeconds(30)), time);
        var (a, lineA) = await OpenHereAsync(guard);
        time.Advance(TimeSpan.FromSeconds(5));
        var (b, lineB) = await OpenHereAsync(guard);

        var waiting = guard.OpenConnectionAsync().AsTask();
        await Guards.EventuallyAsync(() => guard.Statistics.Waiting == 1, "checkout queued");
        time.Advance(TimeSpan.FromSeconds(30));
        var error = await Assert.ThrowsAsync<PoolTimeoutException>(() => waiting);

        Assert.Contains("within the pool timeout of 30 s", error.Message, StringComparison.Ordinal);
        Assert.Contains("size 1, checked out 2, overflow 1/1", error.Message, StringComparison.Ordinal);
        Assert.Contains($"backend PID {a.ProcessID}, held 35.0 s, by {nameof(OpenHereAsync)} at {ThisFile()}:{lineA}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"backend PID {b.ProcessID}, held 30.0 s, by {nameof(OpenHereAsync)} at {ThisFile()}:{lineB}", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.IndexOf($"PID {a.ProcessID}", StringComparison.Ordinal) < error.Message.IndexOf($"PID {b.ProcessID}", StringComparison.Ordinal), "oldest holder first");
        Assert.DoesNotContain(fixture.Sandbox.SuperuserPassword, error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<NpgsqlException>(error);
        Assert.Equal(2, error.OldestHolders.Count);
        Assert.Equal(1, guard.Statistics.Timeouts);
        Assert.Equal(0, guard.Statistics.Waiting);
        await a.DisposeAsync();
        await b.DisposeAsync();
    }

    [Fact]
    public async Task Statistics_64TasksRandomCheckouts_MatchTheTestsOwnCount()
    {
        const string App = "exact-64";
        await using var guard = Guards.Create(fixture.Sandbox, App, o => (o.PoolSize, o.MaxOverflow) = (20, 10));
        var held = 0;
        var maxHeld = 0;
        var violations = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var s = guard.Statistics;
                if (s.CheckedOut > 30 || s.Overflow != Math.Max(0, s.CheckedOut - 20) || s.CheckedOut + s.Waiting > 64 || (s.Waiting > 0 && s.CheckedOut < 30))
                {
                    violations.Enqueue($"checked out {s.CheckedOut}, overflow {s.Overflow}, waiting {s.Waiting}");
                }

                await Task.Yield();
            }
        });

        // Phase 1: random churn.
        await Task.WhenAll(Enumerable.Range(0, 64).Select(seed => Task.Run(async () =>
        {
            var random = new Random(seed);
            for (var i = 0; i < 15; i++)
            {
                await using var connection = await guard.OpenConnectionAsync();
                var now = Interlocked.Increment(ref held);
                InterlockedMax(ref maxHeld, now);
                if (random.Next(3) == 0)
                {
                    await Guards.SelectOneAsync(connection);
                }

                await Task.Delay(random.Next(3));
                Interlocked.Decrement(ref held);
            }
        })));

        // Phase 2: every task asks at once and holds; the pool fills and the rest wait.
        using var release = new SemaphoreSlim(0);
        var holders = Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            await using var connection = await guard.OpenConnectionAsync();
            Interlocked.Increment(ref held);
            await release.WaitAsync();
            Interlocked.Decrement(ref held);
        })).ToList();
        await Guards.EventuallyAsync(() => Volatile.Read(ref held) == 30 && guard.Statistics.Waiting == 34, "pool full with 34 waiting");
        var full = guard.Statistics;
        release.Release(64);
        await Task.WhenAll(holders);
        await stop.CancelAsync();
        await watcher;

        Assert.Empty(violations);
        Assert.Equal(30, maxHeld);
        Assert.Equal((30, 10, 34), (full.CheckedOut, full.Overflow, full.Waiting));
        var end = guard.Statistics;
        Assert.Equal((0, 0, 0), (end.CheckedOut, end.Overflow, end.Waiting));
        Assert.Equal((64 * 15) + 64, end.Checkouts);
        Assert.Equal(0, end.Timeouts);
        Assert.Equal((await Guards.ServerPidsAsync(fixture.Sandbox, App)).Count, end.Idle);
        Assert.InRange(end.Idle, 20, 30);
    }

    [Fact]
    public async Task Statistics_ServerRefusesTheLogin_CountsConnectFailuresNotCheckoutsAndFreesTheSlot()
    {
        var refused = new NpgsqlConnectionStringBuilder(fixture.Sandbox.SuperuserTarget.ToNpgsqlConnectionString("refused", pooling: true)) { Password = "not-the-password" };
        await using var guard = GuardedDataSource.Create(new PgMedic.Guard.Configuration.GuardOptions { ConnectionString = refused.ConnectionString, Name = "refused", PoolSize = 1, MaxOverflow = 0 });
        for (var i = 0; i < 3; i++)
        {
            var error = await Assert.ThrowsAsync<PostgresException>(async () => await guard.OpenConnectionAsync());
            Assert.Equal(PostgresErrorCodes.InvalidPassword, error.SqlState);
        }

        var s = guard.Statistics;
        Assert.Equal((3L, 0L, 0L, 0), (s.ConnectFailures, s.Checkouts, s.Timeouts, s.CheckedOut));
    }

    [Fact]
    public async Task OpenConnectionAsync_ConnectionClosedNotDisposed_SlotReturned()
    {
        await using var guard = Guards.Create(fixture.Sandbox, "close-returns", o => (o.PoolSize, o.MaxOverflow) = (1, 0));
        var connection = await guard.OpenConnectionAsync();

        await connection.CloseAsync();

        Assert.Equal(0, guard.Statistics.CheckedOut);
        await using var next = await guard.OpenConnectionAsync();
        Assert.Equal(1, await Guards.SelectOneAsync(next));
        await connection.DisposeAsync();
    }

    [Fact]
    public async Task OpenConnectionAsync_ServerUnreachable_FailsAndFreesTheSlot()
    {
        var options = Guards.OptionsFor(fixture.Sandbox, "unreachable", o => (o.PoolSize, o.MaxOverflow, o.ConnectTimeout) = (1, 0, TimeSpan.FromSeconds(2)));
        options.ConnectionString = new NpgsqlConnectionStringBuilder(options.ConnectionString) { Port = PgMedic.Testing.SilentListener.UnusedPort() }.ConnectionString;
        await using var guard = GuardedDataSource.Create(options);

        await Assert.ThrowsAsync<NpgsqlException>(async () => await guard.OpenConnectionAsync());
        await Assert.ThrowsAsync<NpgsqlException>(async () => await guard.OpenConnectionAsync());

        Assert.Equal(0, guard.Statistics.CheckedOut);
        Assert.Empty(guard.Holders);
    }

    [Fact]
    public async Task OpenConnectionAsync_WaiterCancelled_LeavesQueueAndNextWaiterServed()
    {
        await using var guard = Guards.Create(fixture.Sandbox, "cancel", o => (o.PoolSize, o.MaxOverflow) = (1, 0));
        var first = await guard.OpenConnectionAsync();
        using var cancel = new CancellationTokenSource();
        var cancelled = guard.OpenConnectionAsync(cancel.Token).AsTask();
        await Guards.EventuallyAsync(() => guard.Statistics.Waiting == 1, "first waiter queued");
        var next = guard.OpenConnectionAsync().AsTask();
        await Guards.EventuallyAsync(() => guard.Statistics.Waiting == 2, "second waiter queued");

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(1, guard.Statistics.Waiting);
        await first.DisposeAsync();
        await using var served = await next;

        Assert.Equal(1, await Guards.SelectOneAsync(served));
        Assert.Equal(1, guard.Statistics.CheckedOut);
    }

    private static async Task<(NpgsqlConnection Connection, int Line)> OpenHereAsync(GuardedDataSource guard)
    {
        var line = NextLine();
        var connection = await guard.OpenConnectionAsync();
        return (connection, line);
    }

    private static int NextLine([CallerLineNumber] int line = 0) => line + 1;

    private static string ThisFile([CallerFilePath] string file = "") => file;

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
        {
            current = seen;
        }
    }
}
