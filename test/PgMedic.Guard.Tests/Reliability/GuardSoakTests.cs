using System.Collections.Concurrent;
using System.Diagnostics;
using PgMedic.Testing;

namespace PgMedic.Guard.Tests.Reliability;

/// <summary>
/// The soak: 64 tasks on a pool of 20 for a minute. FIFO is checked while the churn runs: each
/// checkout's arrival is numbered under a test lock around the guard's synchronous enqueue, and the guard
/// numbers admissions (the holder id) under its own lock — since nobody may overtake a waiter, admission
/// order must be arrival order for every checkout, and a checker compares them every second. Never more
/// than 20 out, the statistics equal the test's own count, no task stuck; and after the churn 44 queued
/// waiters are still served in arrival order.
/// </summary>
[Collection(GuardSandboxCollection.Name)]
public sealed class GuardSoakTests(GuardSandboxFixture fixture)
{
    private static readonly TimeSpan Soak = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task SixtyFourTasksOnAPoolOf20_ForAMinute_FifoDuringTheChurnExactStatisticsNoDeadlock()
    {
        var clock = Stopwatch.StartNew();
        await using var guard = Guards.Create(fixture.Sandbox, "soak-64", o => (o.PoolSize, o.MaxOverflow, o.PoolTimeout) = (20, 0, TimeSpan.FromSeconds(30)));
        long checkouts = 0;
        var held = 0;
        var maxHeld = 0;
        var waits = new ConcurrentBag<double>();
        var arrivalGate = new Lock();
        long nextArrival = 0;

        // (arrival, admission id) per checkout, appended as each connection arrives.
        var order = new ConcurrentQueue<(long Arrival, long Admission)>();
        var claimed = new ConcurrentDictionary<long, byte>();
        var stopwatch = Stopwatch.StartNew();
        var churn = Enumerable.Range(0, 64).Select(seed => Task.Run(async () =>
        {
            var random = new Random(seed);
            while (stopwatch.Elapsed < Soak)
            {
                var asked = Stopwatch.GetTimestamp();
                ValueTask<Npgsql.NpgsqlConnection> pending;
                long arrival;
                lock (arrivalGate)
                {
                    // The guard admits or queues inside this call, before it returns: the arrival is numbered in its order.
                    pending = guard.OpenConnectionAsync();
                    arrival = nextArrival++;
                }

                await using var connection = await pending;
                waits.Add(Stopwatch.GetElapsedTime(asked).TotalMilliseconds);
                // Its holder: the one on this backend not yet claimed (a backend just handed back can still be listed under the old holder for an instant).
                var admission = guard.Holders.Where(h => h.BackendPid == connection.ProcessID).Select(h => h.Id).First(id => claimed.TryAdd(id, 0));
                order.Enqueue((arrival, admission));
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

        // The checker: every second, while the churn runs, admission order against arrival order so far.
        var checks = 0;
        var inversions = 0L;
        var checkedOutMax = 0;
        var all = Task.WhenAll(churn);
        while (await Task.WhenAny(all, Task.Delay(1000)) != all && stopwatch.Elapsed < Soak + TimeSpan.FromSeconds(30))
        {
            checks++;
            inversions += Inversions(order);
            checkedOutMax = Math.Max(checkedOutMax, guard.Statistics.CheckedOut);
        }

        Assert.True(churn.All(t => t.IsCompleted), $"deadlock: {churn.Count(t => !t.IsCompleted)} task(s) still waiting 30 s after the soak; statistics {guard.Statistics}");
        await all;
        inversions += Inversions(order);
        var end = guard.Statistics;
        var admissions = order.Select(o => o.Admission).ToList();

        var served = await QueuedWaitersServedAsync(guard);
        var p99 = waits.Order().ElementAt((int)Math.Ceiling(waits.Count * 0.99) - 1);
        ReliabilityRecord.Write("5-guard-soak", $"""
            ## PgMedic.Guard under load

            | tasks | pool | duration | checkouts | max held | statistics match | deadlocked tasks | p99 wait for a connection | FIFO during the churn | FIFO after the churn (44 waiters) |
            |---|---|---|---|---|---|---|---|---|---|
            | 64 | 20 (no overflow) | {Soak.TotalSeconds:0} s | {checkouts} | {maxHeld} | {(end.Checkouts == checkouts && end.CheckedOut == 0 && end.Waiting == 0 && end.Timeouts == 0 ? "yes" : "no")} | {churn.Count(t => !t.IsCompletedSuccessfully)} | {p99:0.0} ms | {order.Count} checkouts compared in {checks} checks while it ran: {inversions} out of arrival order | {(served.SequenceEqual(Enumerable.Range(0, 44)) ? "in arrival order" : "OUT OF ORDER")} |

            FIFO during the churn: each checkout's arrival is numbered under a lock around the guard's synchronous enqueue, its admission by the guard's own holder id; since a free slot goes to the queue's head first, the two orders must be the same for every checkout.
            """, clock.Elapsed, "GuardSoakTests.SixtyFourTasksOnAPoolOf20_ForAMinute_FifoDuringTheChurnExactStatisticsNoDeadlock");

        Assert.True(stopwatch.Elapsed >= Soak);
        Assert.True(checks >= 50, $"{checks} checks during the churn");
        Assert.Equal(0, inversions);
        Assert.Equal(admissions.Count, admissions.Distinct().Count());
        Assert.Equal(20, maxHeld);
        Assert.True(checkedOutMax <= 20, $"{checkedOutMax} checked out");
        Assert.Equal(checkouts, end.Checkouts);
        Assert.Equal((0, 0, 0L), (end.CheckedOut, end.Waiting, end.Timeouts));
        Assert.Equal(Enumerable.Range(0, 44), served);
        Assert.Equal(checkouts + 64, guard.Statistics.Checkouts);
    }

    /// <summary>Checkouts admitted out of their arrival order: sorted by arrival, each admission id must be above the one before.</summary>
    private static long Inversions(ConcurrentQueue<(long Arrival, long Admission)> order)
    {
        var sorted = order.ToArray().OrderBy(o => o.Arrival).ToArray();
        return sorted.Zip(sorted.Skip(1), (a, b) => b.Admission < a.Admission ? 1L : 0L).Sum();
    }

    /// <summary>
    /// Hold all 20, queue 44 one at a time, then free one slot at a time (a holder, then each served waiter
    /// in turn), so that each grant is the only one in flight and its order is known.
    /// </summary>
    private static async Task<List<int>> QueuedWaitersServedAsync(GuardedDataSource guard)
    {
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
        return [.. served];
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
