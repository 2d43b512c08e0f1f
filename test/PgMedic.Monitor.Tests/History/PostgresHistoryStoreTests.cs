using Npgsql;
using PgMedic.Core.Alerts;
using PgMedic.Core.SessionHistory;
using PgMedic.Core.Slo;
using PgMedic.Monitor.History;
using PgMedic.Postgres.Sandbox;

namespace PgMedic.Monitor.Tests.History;

/// <summary>The PostgreSQL history: schema created and migrated by PgMedic, daily partitions, retention by dropping them (each table at its own cutoff).</summary>
[Collection(MonitorCollection.Name)]
public sealed class PostgresHistoryStoreTests(MonitorSandbox fixture) : IAsyncLifetime
{
    private readonly string _database = $"hist_{Guid.NewGuid():N}"[..16];

    public Task InitializeAsync() => fixture.Sandbox.ExecuteAsync($"CREATE DATABASE {_database}");

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await fixture.Sandbox.ExecuteAsync($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
    }

    [Fact]
    public async Task Open_TwoInstancesThenPrune_SchemaMigratedOnceAndOldDaysDroppedAsPartitionsAtEachTablesCutoff()
    {
        var target = fixture.Sandbox.SuperuserTarget.WithDatabase(_database);
        var now = DateTimeOffset.UtcNow;
        using var first = PostgresHistoryStore.Open(target, 0, TimeProvider.System);
        using var second = PostgresHistoryStore.Open(target, 1, TimeProvider.System);
        var yesterday = new DateTimeOffset(now.UtcDateTime.Date.AddDays(-1).AddHours(12));
        await first.RecordPollAsync("shop", Sample(yesterday), new SloEntry(yesterday, new SloCounts(1, 0, 5)), [], [], _ => null, [], CancellationToken.None);
        await first.AddActivityRunAsync("shop", Run(yesterday), CancellationToken.None);
        await second.RecordPollAsync("billing", Sample(now), new SloEntry(now, new SloCounts(1, 0, 5)), [], [], _ => null, [], CancellationToken.None);
        await second.AddActivityRunAsync("billing", Run(now), CancellationToken.None);

        var before = await first.PartitionsAsync(CancellationToken.None);
        var bothShards = (await second.SamplesAsync("shop", now.AddDays(-2), now, 10, CancellationToken.None)).Count
            + (await first.SamplesAsync("billing", now.AddDays(-2), now, 10, CancellationToken.None)).Count;
        var today = new DateTimeOffset(now.UtcDateTime.Date);

        // The objective keeps its minutes longer than the samples (its window may be longer than the retention).
        await first.PruneAsync(new PruneCutoffs(today, today.AddDays(-1), today), CancellationToken.None);
        var after = await first.PartitionsAsync(CancellationToken.None);

        Assert.Equal(2, await ScalarAsync("SELECT count(*) FROM pgmedic.migrations"));
        Assert.Equal(PostgresHistoryStore.SchemaVersion, await ScalarAsync("SELECT max(version) FROM pgmedic.migrations"));
        Assert.Equal(2, bothShards);
        Assert.Equal(20, before.Count);
        Assert.Contains($"samples_p{yesterday:yyyyMMdd}", before);
        Assert.DoesNotContain($"samples_p{yesterday:yyyyMMdd}", after);
        Assert.DoesNotContain($"activity_runs_p{yesterday:yyyyMMdd}", after);
        Assert.Contains($"slo_minutes_p{yesterday:yyyyMMdd}", after);
        Assert.Contains($"samples_p{now.UtcDateTime:yyyyMMdd}", after);
        Assert.Empty(await first.SamplesAsync("shop", now.AddDays(-2), now, 10, CancellationToken.None));
        Assert.Single(await first.SamplesAsync("billing", now.AddDays(-2), now, 10, CancellationToken.None));
        Assert.Empty(await first.ActivitySamplesAsync("shop", yesterday.AddMinutes(-1), yesterday.AddMinutes(1), CancellationToken.None));
        Assert.Single(await first.ActivitySamplesAsync("billing", now.AddMinutes(-1), now.AddMinutes(1), CancellationToken.None));
        Assert.Single(await first.SloMinutesAsync("shop", yesterday.AddDays(-1), CancellationToken.None));
        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM pg_partitioned_table pt JOIN pg_class c ON c.oid = pt.partrelid WHERE c.relname = 'samples'"));
    }

    [Fact]
    public async Task Open_HistoryOfTheFirstSchemaVersion_GainsTheObjectiveAndSessionTablesAndKeepsItsSamples()
    {
        var target = fixture.Sandbox.SuperuserTarget.WithDatabase(_database);
        var now = DateTimeOffset.UtcNow;
        using (var old = PostgresHistoryStore.Open(target, 0, TimeProvider.System))
        {
            await old.RecordPollAsync("shop", Sample(now), default, [], [], _ => null, [], CancellationToken.None);
        }

        // Back to version 1, as a PgMedic of before the objective and session history left it.
        await fixture.Sandbox.ExecuteAsync(
            "DROP TABLE pgmedic.slo_minutes, pgmedic.targets, pgmedic.activity_keys, pgmedic.query_texts, pgmedic.activity_runs; DELETE FROM pgmedic.migrations WHERE version > 1",
            _database);
        NpgsqlConnection.ClearAllPools();

        using var store = PostgresHistoryStore.Open(target, 0, TimeProvider.System);
        await store.RecordPollAsync("shop", Sample(now.AddSeconds(5)), new SloEntry(now.AddSeconds(5), new SloCounts(2, 1, 5)), [], [], _ => null, [], CancellationToken.None);

        Assert.Equal(2, await ScalarAsync("SELECT max(version) FROM pgmedic.migrations"));
        Assert.Equal(2, (await store.SamplesAsync("shop", now.AddMinutes(-1), now.AddMinutes(1), 10, CancellationToken.None)).Count);
        Assert.Equal(new SloCounts(2, 1, 5), Assert.Single(await store.SloMinutesAsync("shop", now.AddMinutes(-1), CancellationToken.None)).Counts);
    }

    [Fact]
    public void Open_UnreachableDatabase_OneLineErrorWithoutThePassword()
    {
        var target = fixture.Sandbox.SuperuserTarget.WithDatabase(_database) with { Port = Testing.SilentListener.UnusedPort(), ConnectTimeout = TimeSpan.FromSeconds(1) };

        var error = Assert.Throws<HistoryStoreException>(() => PostgresHistoryStore.Open(target, 0, TimeProvider.System));

        Assert.StartsWith($"history.connection postgres://postgres:***@127.0.0.1:{target.Port}/{_database}: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Sandbox.SuperuserPassword, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    private static ActivityRun Run(DateTimeOffset at) => new(
        [new ActivitySample(at, 1, [new KeyCount(1, 3, 3)], [])],
        new Dictionary<int, SessionKey> { [1] = new SessionKey("idle", "Client", "ClientRead", "shop-api", "shop", "10.0.0.7", "shop", null) },
        new Dictionary<long, string>());

    private static MonitorSample Sample(DateTimeOffset at) =>
        new(at, true, null, 1.5, true, 3, 25, 28, 12, new Dictionary<string, int> { ["idle"] = 2, ["active"] = 1 }, [new AppConnections("shop-api", 2, 2, 0)], []);

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = await PostgresSandbox.OpenAsync(fixture.Sandbox.SuperuserTarget.WithDatabase(_database));
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
