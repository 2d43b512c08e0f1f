using Npgsql;
using PgMedic.Core.Alerts;
using PgMedic.Monitor.History;
using PgMedic.Postgres.Sandbox;

namespace PgMedic.Monitor.Tests.History;

/// <summary>The PostgreSQL history: schema created and migrated by PgMedic, daily partitions, retention by dropping them.</summary>
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
    public async Task Open_TwoInstancesThenPrune_SchemaMigratedOnceAndOldDaysDroppedAsPartitions()
    {
        var target = fixture.Sandbox.SuperuserTarget.WithDatabase(_database);
        var now = DateTimeOffset.UtcNow;
        using var first = PostgresHistoryStore.Open(target, 0, TimeProvider.System);
        using var second = PostgresHistoryStore.Open(target, 1, TimeProvider.System);
        var yesterday = now.UtcDateTime.Date.AddDays(-1).AddHours(12);
        await first.RecordPollAsync("shop", Sample(new DateTimeOffset(yesterday)), [], [], _ => null, [], CancellationToken.None);
        await second.RecordPollAsync("billing", Sample(now), [], [], _ => null, [], CancellationToken.None);

        var before = await first.PartitionsAsync(CancellationToken.None);
        var bothShards = (await second.SamplesAsync("shop", now.AddDays(-2), now, 10, CancellationToken.None)).Count
            + (await first.SamplesAsync("billing", now.AddDays(-2), now, 10, CancellationToken.None)).Count;
        await first.PruneAsync(new DateTimeOffset(now.UtcDateTime.Date), CancellationToken.None);
        var after = await first.PartitionsAsync(CancellationToken.None);

        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM pgmedic.migrations"));
        Assert.Equal(PostgresHistoryStore.SchemaVersion, await ScalarAsync("SELECT max(version) FROM pgmedic.migrations"));
        Assert.Equal(2, bothShards);
        Assert.Equal(12, before.Count);
        Assert.Contains($"samples_p{yesterday:yyyyMMdd}", before);
        Assert.DoesNotContain($"samples_p{yesterday:yyyyMMdd}", after);
        Assert.Contains($"samples_p{now.UtcDateTime:yyyyMMdd}", after);
        Assert.Empty(await first.SamplesAsync("shop", now.AddDays(-2), now, 10, CancellationToken.None));
        Assert.Single(await first.SamplesAsync("billing", now.AddDays(-2), now, 10, CancellationToken.None));
        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM pg_partitioned_table pt JOIN pg_class c ON c.oid = pt.partrelid WHERE c.relname = 'samples'"));
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

    private static MonitorSample Sample(DateTimeOffset at) =>
        new(at, true, null, 1.5, true, 3, 25, 28, 12, new Dictionary<string, int> { ["idle"] = 2, ["active"] = 1 }, [new AppConnections("shop-api", 2, 2, 0)], []);

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = await PostgresSandbox.OpenAsync(fixture.Sandbox.SuperuserTarget.WithDatabase(_database));
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
