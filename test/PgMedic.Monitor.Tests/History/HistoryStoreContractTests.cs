using Npgsql;
using PgMedic.Core.Alerts;
using PgMedic.Core.SessionHistory;
using PgMedic.Core.Slo;
using PgMedic.Monitor.History;

namespace PgMedic.Monitor.Tests.History;

/// <summary>
/// What every <see cref="IHistoryStore"/> keeps, asked of both: the SQLite file and the PostgreSQL database
/// (a throwaway database on the monitor sandbox) answer the objective's minutes, the session history, the
/// targets and capacity's usage alike.
/// </summary>
[Collection(MonitorCollection.Name)]
public sealed class HistoryStoreContractTests(MonitorSandbox fixture) : IAsyncLifetime
{
    private readonly string _database = $"contract_{Guid.NewGuid():N}"[..20];
    private readonly string _directory = Directory.CreateTempSubdirectory("pgmedic-contract-").FullName;

    /// <summary>Whole seconds, two hours back: inside the partitions the PostgreSQL store keeps ready, and whole for the session codec.</summary>
    private static readonly DateTimeOffset Hour = new DateTimeOffset(DateTimeOffset.UtcNow.UtcTicks / TimeSpan.TicksPerHour * TimeSpan.TicksPerHour, TimeSpan.Zero).AddHours(-2);

    public Task InitializeAsync() => fixture.Sandbox.ExecuteAsync($"CREATE DATABASE {_database}");

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await fixture.Sandbox.ExecuteAsync($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task SloMinutes_PollsInTwoMinutes_SummedPerMinuteEndAndReadBackFromAMoment(string kind)
    {
        using var store = Open(kind);
        var first = Hour.AddSeconds(10);
        await Poll(store, first, new SloEntry(first, new SloCounts(3, 1, 5)));
        await Poll(store, first.AddSeconds(20), new SloEntry(first.AddSeconds(20), new SloCounts(4, 0, 5)));
        await Poll(store, first.AddSeconds(70), new SloEntry(first.AddSeconds(70), new SloCounts(0, 2, 2.5)));
        await Poll(store, first.AddSeconds(80), default);

        var all = await store.SloMinutesAsync("shop", Hour.AddMinutes(-5), CancellationToken.None);
        var later = await store.SloMinutesAsync("shop", Hour.AddMinutes(1), CancellationToken.None);

        Assert.Equal(
            [new SloEntry(Hour.AddMinutes(1), new SloCounts(7, 1, 10)), new SloEntry(Hour.AddMinutes(2), new SloCounts(0, 2, 2.5))],
            all);
        Assert.Equal([new SloEntry(Hour.AddMinutes(2), new SloCounts(0, 2, 2.5))], later);
        Assert.Empty(await store.SloMinutesAsync("billing", Hour.AddMinutes(-5), CancellationToken.None));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Targets_RecordedTwice_TheLaterRunReplacesTheSameName(string kind)
    {
        using var store = Open(kind);
        var slo = new SloOptions { ObjectivePercent = 99.5, Window = TimeSpan.FromDays(7) };
        await store.RecordTargetsAsync(
            [
                new StoredTarget("shop", "postgres://monitor@127.0.0.1:5432/shop", new SloOptions(), FailureSignal.Probe, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), Hour),
                new StoredTarget("billing", "postgres://monitor@127.0.0.1:5432/billing", slo, FailureSignal.Application, TimeSpan.FromSeconds(10), null, Hour),
            ],
            CancellationToken.None);
        await store.RecordTargetsAsync(
            [new StoredTarget("shop", "postgres://monitor@127.0.0.1:6432/shop", slo, FailureSignal.Application, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), Hour.AddMinutes(30))],
            CancellationToken.None);

        var targets = await store.TargetsAsync(CancellationToken.None);

        Assert.Equal(
            [
                new StoredTarget("billing", "postgres://monitor@127.0.0.1:5432/billing", slo, FailureSignal.Application, TimeSpan.FromSeconds(10), null, Hour),
                new StoredTarget("shop", "postgres://monitor@127.0.0.1:6432/shop", slo, FailureSignal.Application, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), Hour.AddMinutes(30)),
            ],
            targets);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Usage_CollectedAndFailedPolls_OnlyCollectedOnesWithTheirStatesAndApplications(string kind)
    {
        using var store = Open(kind);
        var byState = new Dictionary<string, int> { ["active"] = 2, ["idle"] = 5, ["idle in transaction"] = 1, ["idle in transaction (aborted)"] = 1 };
        await store.RecordPollAsync("shop", Sample(Hour, byState), default, [], [], _ => null, [], CancellationToken.None);
        await store.RecordPollAsync("shop", Sample(Hour.AddSeconds(5), byState) with { Collected = false }, default, [], [], _ => null, [], CancellationToken.None);
        await store.RecordPollAsync("shop", Sample(Hour.AddHours(1), byState), default, [], [], _ => null, [], CancellationToken.None);

        var usage = await store.UsageAsync("shop", Hour, Hour.AddMinutes(30), CancellationToken.None);

        var point = Assert.Single(usage);
        Assert.Equal(Hour, point.At);
        Assert.Equal((9, 25, 2, 5, 2), (point.ClientBackends, point.UsableSlots, point.Active, point.Idle, point.IdleInTransaction));
        Assert.Equal([new AppConnections("shop-api", 7, 5, 1)], point.ByApplication);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task SessionHistory_TwoMinutesOfRunsThenDownsampled_SamplesKeysTextsAndRangeRoundTrip(string kind)
    {
        using var store = Open(kind);
        var idle = new SessionKey("idle", "Client", "ClientRead", "shop-api", "shop", "10.0.0.7", "shop", null);
        var waiting = new SessionKey("active", "Lock", "transactionid", "worker", "shop", "10.0.0.8", "shop", 4242);
        var keys = new Dictionary<int, SessionKey> { [1] = idle, [2] = waiting };
        await store.AddActivityRunAsync("shop", new ActivityRun(
            [Activity(Hour, 5, 1, blocked: false), Activity(Hour.AddSeconds(20), 7, 2, blocked: true)],
            keys,
            new Dictionary<long, string> { [4242] = "UPDATE orders SET state = $1 WHERE id = $2" }), CancellationToken.None);
        await store.AddActivityRunAsync("shop", new ActivityRun(
            [Activity(Hour.AddSeconds(60), 3, 0, blocked: false)],
            new Dictionary<int, SessionKey>(),
            new Dictionary<long, string> { [4242] = "a text seen again is not replaced" }), CancellationToken.None);

        var raw = await store.ActivitySamplesAsync("shop", Hour.AddSeconds(10), Hour.AddMinutes(5), CancellationToken.None);
        var rawRange = await store.ActivityRangeAsync("shop", CancellationToken.None);
        await store.DownsampleActivityAsync(Hour.AddMinutes(30), 10, CancellationToken.None);
        var thinned = await store.ActivitySamplesAsync("shop", Hour.AddMinutes(-1), Hour.AddMinutes(5), CancellationToken.None);
        var thinnedRange = await store.ActivityRangeAsync("shop", CancellationToken.None);
        var texts = await store.QueryTextsAsync([4242, 7], CancellationToken.None);

        Assert.Equal([Hour.AddSeconds(20), Hour.AddSeconds(60)], raw.Select(s => s.At));
        Assert.Equal([new KeyCount(1, 7, 7), new KeyCount(2, 2, 2)], raw[0].Counts);
        Assert.Equal([1, 2], raw[0].Sessions.Select(s => s.Pid));
        Assert.Equal([101], raw[0].Sessions[1].BlockedBy);
        Assert.Equal((Hour, Hour.AddSeconds(60)), rawRange);
        Assert.Equal([Hour, Hour.AddMinutes(1)], thinned.Select(s => s.At));
        Assert.Equal([2, 1], thinned.Select(s => s.Merged));
        Assert.Equal([new KeyCount(1, 12, 7), new KeyCount(2, 3, 2)], thinned[0].Counts);
        Assert.Equal((Hour, Hour.AddMinutes(1)), thinnedRange);
        Assert.Equal(keys, await store.ActivityKeysAsync("shop", CancellationToken.None));
        Assert.Empty(await store.ActivityKeysAsync("billing", CancellationToken.None));
        Assert.Null(await store.ActivityRangeAsync("billing", CancellationToken.None));
        Assert.Equal(new Dictionary<long, string> { [4242] = "UPDATE orders SET state = $1 WHERE id = $2" }, texts);
    }

    private IHistoryStore Open(string kind) => kind == "postgres"
        ? PostgresHistoryStore.Open(fixture.Sandbox.SuperuserTarget.WithDatabase(_database), 0, TimeProvider.System)
        : new SqliteHistoryStore(Path.Combine(_directory, "history.db"));

    private static Task Poll(IHistoryStore store, DateTimeOffset at, SloEntry slo) =>
        store.RecordPollAsync("shop", Sample(at, new Dictionary<string, int> { ["idle"] = 2 }), slo, [], [], _ => null, [], CancellationToken.None);

    private static MonitorSample Sample(DateTimeOffset at, IReadOnlyDictionary<string, int> byState) =>
        new(at, true, null, 1.5, true, byState.Values.Sum(), 25, 28, Math.Round(100.0 * byState.Values.Sum() / 25, 2), byState, [new AppConnections("shop-api", 7, 5, 1)], []);

    /// <summary>Key 1 idle, key 2 waiting on a lock; session 2 blocked by pid 101 when <paramref name="blocked"/>.</summary>
    private static ActivitySample Activity(DateTimeOffset at, int idle, int waiting, bool blocked) =>
        new(
            at,
            1,
            waiting > 0 ? [new KeyCount(1, idle, idle), new KeyCount(2, waiting, waiting)] : [new KeyCount(1, idle, idle)],
            blocked
                ? [new SampledSession(1, 1, 30, null, null, []), new SampledSession(2, 2, 4, 4, 4, [101])]
                : [new SampledSession(1, 1, 30, null, null, [])]);
}
