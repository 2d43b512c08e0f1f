using PgMedic.Core.SessionHistory;
using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Tests.SessionHistory;

/// <summary>Samples of sessions: counted by key, encoded compactly, thinned per minute, answered for a moment.</summary>
public sealed class ActivityHistoryTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 2, 3, 12, 0, TimeSpan.Zero);

    [Fact]
    public void Sample_LeakAndLockChain_CountsByKeyKeepsTheChainAndTheLongestHeld()
    {
        var keys = new Dictionary<SessionKey, int>();
        var sampler = new ActivitySampler(top: 3);
        var sample = sampler.Sample(At, At, Sessions(), k => keys.TryGetValue(k, out var id) ? id : keys[k] = keys.Count + 1);

        Assert.Equal(20 + 100 + 2, sample.Counts.Sum(c => c.Sum));
        var leak = keys.Single(k => k.Key.Application == "shop-api" && k.Key.State == SessionStates.IdleInTransaction);
        Assert.Equal(20, sample.Counts.Single(c => c.Key == leak.Value).Sum);
        Assert.Equal(QueryFingerprint.Of("SELECT * FROM invoices WHERE id = 1"), leak.Key.Fingerprint);
        Assert.Null(keys.Keys.Single(k => k.State == SessionStates.Idle).Fingerprint);

        // The chain (holder 900 and waiter 901) and the three longest-held.
        Assert.Equal([900, 901, 120, 119, 118], sample.Sessions.Select(s => s.Pid));
        Assert.Equal([900], sample.Sessions.Single(s => s.Pid == 901).BlockedBy);
    }

    [Fact]
    public void Codec_AMinuteOfSamples_RoundTripsAndStaysSmall()
    {
        var keys = new Dictionary<SessionKey, int>();
        var sampler = new ActivitySampler(top: 10);
        var samples = Enumerable.Range(0, 60).Select(i => sampler.Sample(At.AddSeconds(i), At.AddSeconds(i), Sessions(), k => keys.TryGetValue(k, out var id) ? id : keys[k] = keys.Count + 1)).ToList();

        var body = ActivityCodec.Encode(samples);
        var decoded = ActivityCodec.Decode(body);

        Assert.Equal(samples.Select(s => (s.At, s.Counts.Count, s.Sessions.Count)), decoded.Select(s => (s.At, s.Counts.Count, s.Sessions.Count)));
        Assert.Equal(samples[7].Counts, decoded[7].Counts);
        Assert.Equal(samples[7].Sessions.Select(s => (s.Pid, s.Key, s.TransactionAgeSeconds)), decoded[7].Sessions.Select(s => (s.Pid, s.Key, s.TransactionAgeSeconds)));
        Assert.True(body.Length < 4096, $"a minute of 122 sessions sampled every second took {body.Length} bytes");
    }

    [Fact]
    public void Moment_DownsampledMinuteAndRawSample_HoldersByApplicationAndStatementWithTheLockTree()
    {
        var keys = new Dictionary<SessionKey, int>();
        var sampler = new ActivitySampler(top: 10);
        var raw = Enumerable.Range(0, 60).Select(i => sampler.Sample(At.AddSeconds(i), At.AddSeconds(i), Sessions(), k => keys.TryGetValue(k, out var id) ? id : keys[k] = keys.Count + 1)).ToList();
        var byId = keys.ToDictionary(k => k.Value, k => k.Key);
        var queries = sampler.TakeNewQueries();

        var minute = ActivityDownsampler.PerMinute(raw, 10);
        var moment = ActivityMomentBuilder.Build("shop", At, minute, byId, queries);
        var exact = ActivityMomentBuilder.Build("shop", At.AddSeconds(30), [ActivityMomentBuilder.Nearest(raw, At.AddSeconds(30.4), TimeSpan.FromSeconds(2))!], byId, queries);

        Assert.Single(minute);
        Assert.True(moment.Downsampled);
        Assert.Equal(("worker", 100.0), (moment.Holders[0].Application, moment.Holders[0].Sessions));
        var holder = moment.Holders.Single(h => h.Application == "shop-api" && h.ByState.ContainsKey(SessionStates.IdleInTransaction));
        Assert.Equal(("shop-api", 20.0, "SELECT * FROM invoices WHERE id = ?"), (holder.Application, holder.Sessions, holder.Query));
        Assert.Equal(20, holder.ByState[SessionStates.IdleInTransaction]);
        Assert.Equal(At.AddSeconds(30), exact.From);
        Assert.Equal(122, exact.ClientBackendsPeak);
        var root = Assert.Single(exact.LockTree);
        Assert.Equal((900, 901), (root.Pid, Assert.Single(root.Waiters).Pid));
        Assert.Contains(exact.ByWaitEvent, w => w.WaitEventType == "Lock" && w.WaitEvent == "transactionid" && w.Peak == 1);
    }

    /// <summary>20 leaked sessions of shop-api idle in a transaction (oldest pid 120), 100 idle workers, and a lock chain.</summary>
    private static IEnumerable<SessionInfo> Sessions()
    {
        for (var i = 1; i <= 20; i++)
        {
            yield return Session(100 + i, SessionStates.IdleInTransaction, "shop-api", $"SELECT * FROM invoices WHERE id = {i}", TimeSpan.FromSeconds(i * 10), "Client", "ClientRead");
        }

        for (var i = 1; i <= 100; i++)
        {
            yield return Session(200 + i, SessionStates.Idle, "worker", "COMMIT", TimeSpan.FromSeconds(1), "Client", "ClientRead");
        }

        yield return Session(900, SessionStates.IdleInTransaction, "migrations", "ALTER TABLE orders ADD COLUMN note text", TimeSpan.FromSeconds(5), "Client", "ClientRead");
        yield return Session(901, SessionStates.Active, "shop-api", "UPDATE orders SET state = 'paid' WHERE id = 7", TimeSpan.FromSeconds(4), "Lock", "transactionid") with { BlockedBy = [900] };
    }

    private static SessionInfo Session(int pid, string state, string application, string query, TimeSpan held, string waitType, string wait) => new()
    {
        Pid = pid,
        BackendType = BackendTypes.ClientBackend,
        State = state,
        ApplicationName = application,
        User = "app",
        Database = "shop",
        ClientAddress = "10.0.0.7",
        Query = query,
        TransactionStart = state == SessionStates.Idle ? null : At - held,
        QueryStart = At - held,
        StateChange = At - held,
        WaitEventType = waitType,
        WaitEvent = wait,
    };
}
