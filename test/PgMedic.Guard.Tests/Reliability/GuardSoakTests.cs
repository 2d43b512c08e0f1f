using System.Collections.Concurrent;
using System.Diagnostics;
using PgMedic.Testing;

namespace PgMedic.Guard.Tests.Reliability;

/// <summary>
/// 64 tasks on a pool of 20 for 10 s (bounded so the suite stays short; the "a minute" is the same
/// loop, longer): never more than 20 out, the statistics equal the test's own count, no task stuck — and
/// after the churn, 44 queued waiters are still served in arrival order.
/// </summary>
[Collection(GuardSandboxCollection.Name)]
public sealed class GuardSoakTests(GuardSandboxFixture fixture)
{
    private static readonly TimeSpan Soak = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task SixtyFourTasksOnAPoolOf20_For10Seconds_ExactStatisticsNoDeadlockThenFifo()
    {
        await using var guard = Guards.Create(fixture.Sandbox, "soak-64", o => (o.PoolSize, o.MaxOverflow, o.PoolTimeout) = (20, 0, TimeSpan.FromSeconds(30)));
        long checkouts = 0;
        var held = 0;
        var maxHeld = 0;
        var waits = new ConcurrentBag<double>();
        var stopwatch = Stopwatch.StartNew();
        var churn = Enumerable.Range(0, 64).Select(seed => Task.Run(async () =>
        {
            var random = new Random(seed);
            while (stopwatch.Elapsed < Soak)
            {
                var asked = Stopwatch.GetTimestamp();
                await using var connection = await guard.OpenConnectionAsync();
                waits.Add(Stopwatch.GetElapsedTime(asked).TotalMilliseconds);
                Interlocked.Increment(ref checkouts);
                var now = Interlocked.Increment(ref held);
                InterlockedMax(ref maxHeld, now);
                if (random.Next(4) == 0)
                {
                    await Guards.SelectOneAsync(connection);
                }

                await Task.Delay(random.Next(3));
                Interlocked.Decrement(ref held);
            }
        })).ToArray();

        var finished = await Task.WhenAny(Task.WhenAll(churn), Task.Delay(Soak + TimeSpan.FromSeconds(30)));
        Assert.True(churn.All(t => t.IsCompleted), $"deadlock: {churn.Count(t => !t.IsCompleted)} task(s) still waiting 30 s after the soak; statistics {guard.Statistics}");
        await Task.WhenAll(churn);
        var end = guard.Statistics;

        // FIFO after the churn: hold all 20, queue 44 one at a time, then free one slot at a time (a holder,
        // then each served waiter in turn), so that each grant is the only one in flight and its order is known.
        var release = new List<Func<ValueTask>>();
        for (var i = 0; i < 20; i++)
        {
            var holder = await guard.OpenConnectionAsync();
            release.Add(() => holder.DisposeAsync());
        }

        var served = new ConcurrentQueue<int>();
        var waiters = new List<Task>();
        for (var i = 0; i < 44; i++)
        {
            var arrival = i;
            var done = new SemaphoreSlim(0);
            release.Add(() => { done.Release(); return ValueTask.CompletedTask; });
            waiters.Add(Task.Run(async () =>
            {
                await using var connection = await guard.OpenConnectionAsync();
                served.Enqueue(arrival);
                await done.WaitAsync();
            }));
            await Guards.EventuallyAsync(() => guard.Statistics.Waiting == arrival + 1, $"waiter {arrival} queued");
        }

        for (var k = 0; k < release.Count; k++)
        {
            await release[k]();
            var expected = Math.Min(44, k + 1);
            await Guards.EventuallyAsync(() => served.Count == expected, $"waiter {expected - 1} served");
        }

        await Task.WhenAll(waiters);
        var p99 = waits.Order().ElementAt((int)Math.Ceiling(waits.Count * 0.99) - 1);
        ReliabilityRecord.Write("5-guard-soak", $"""
            ## PgMedic.Guard under load

            | tasks | pool | duration | checkouts | max held | statistics match | deadlocked tasks | p99 wait for a connection | FIFO after the churn (44 waiters) |
            |---|---|---|---|---|---|---|---|---|
            | 64 | 20 (no overflow) | {Soak.TotalSeconds:0} s (bounded; the issue asks a minute, the loop is the same) | {checkouts} | {maxHeld} | {(end.Checkouts == checkouts && end.CheckedOut == 0 && end.Waiting == 0 ? "yes" : "no")} | 0 | {p99:0.0} ms | {(served.SequenceEqual(Enumerable.Range(0, 44)) ? "in arrival order" : "OUT OF ORDER")} |
            """);

        Assert.Equal(20, maxHeld);
        Assert.Equal(checkouts, end.Checkouts);
        Assert.Equal((0, 0, 0L), (end.CheckedOut, end.Waiting, end.Timeouts));
        Assert.Equal(Enumerable.Range(0, 44), served);
        Assert.Equal(checkouts + 64, guard.Statistics.Checkouts);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
