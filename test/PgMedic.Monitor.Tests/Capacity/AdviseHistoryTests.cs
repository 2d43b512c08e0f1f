using PgMedic.Core.Alerts;
using PgMedic.Core.Slo;
using PgMedic.Monitor.History;

namespace PgMedic.Monitor.Tests.Capacity;

/// <summary><c>pgmedic advise --history</c> over a generated week of the monitor's samples, against the real sandbox's settings.</summary>
[Collection(MonitorCollection.Name)]
public sealed class AdviseHistoryTests(MonitorSandbox fixture) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pgmedic-advise-history-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task AdviseHistory_AWeekGrowingOneADay_RecommendsFromTheObservedPeakAndSaysWhenTheTrendRunsOutOfSlots()
    {
        var path = Path.Combine(_directory, "history.db");
        var now = DateTimeOffset.UtcNow;
        var start = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(-7);
        using (var store = new SqliteHistoryStore(path))
        {
            await store.RecordTargetsAsync([new StoredTarget("shop", "postgres://monitor@db/shop", new SloOptions(), FailureSignal.Probe, TimeSpan.FromMinutes(5), null, start)], CancellationToken.None);
            for (var i = 0; i < 7 * 24 * 12; i++)
            {
                await store.RecordPollAsync("shop", Sample(start.AddMinutes(5 * i), i / (24 * 12)), default, [], [], _ => null, [], CancellationToken.None);
            }
        }

        var run = await InProcessCli.RunAsync(TimeProvider.System, "advise", fixture.Sandbox.SuperuserTarget.ToUrl(), "--workers", "2", "--application", "shop-api", "--history", path, "--days", "8");

        // Daily peaks 15, 16 … 21 (shop-api's 10 + day + 2 at 14:00, batch's 3): the line reaches 21.5 at the week's end, 25 usable slots 3.5 days later.
        Assert.True(run.ExitCode == 1, run.Out + run.Error);
        Assert.Contains("observed 21 connected", run.Out, StringComparison.Ordinal);
        Assert.Contains("the peaks grow 1 a day: usable slots run out in 3.5 days", run.Out, StringComparison.Ordinal);
        Assert.Contains("observed over 7 days (2016 samples of the monitor): peak 21 client connections", run.Out, StringComparison.Ordinal);
        Assert.Contains("busiest hour of the day: 14:00 UTC", run.Out, StringComparison.Ordinal);
        Assert.Contains("shop-api: peak 18 held (9 busy at once)", run.Out, StringComparison.Ordinal);
        Assert.Contains("3 connection(s) of other applications were seen", run.Out, StringComparison.Ordinal);
        Assert.Contains("pool size per worker from what shop-api used at its busiest: ⌈peak 9 busy connections / 2 workers⌉ = 5", run.Out, StringComparison.Ordinal);
        Assert.Contains("per worker pool_size 5,", run.Out, StringComparison.Ordinal);
        Assert.Contains("at that trend the 25 usable slots run out in 3.5 days", run.Out, StringComparison.Ordinal);

        var json = await InProcessCli.RunAsync(TimeProvider.System, "advise", fixture.Sandbox.SuperuserTarget.ToUrl(), "--workers", "2", "--application", "shop-api", "--history", path, "--format", "json");
        Assert.Empty(await PgMedic.Testing.JsonSchemas.ProblemsAsync("advise.schema.json", json.Out));
        var history = System.Text.Json.JsonDocument.Parse(json.Out).RootElement.GetProperty("advice").GetProperty("history");
        Assert.Equal(21, history.GetProperty("peak").GetInt32());
        Assert.Equal(1, history.GetProperty("trend").GetProperty("perDay").GetDouble(), 3);
        Assert.Equal(24, history.GetProperty("byHour").GetArrayLength());
    }

    /// <summary>shop-api holds 5 at night and 10 from 09:00 to 18:00, one more each day, two more at 14:00, half of them busy; batch holds 3.</summary>
    private static MonitorSample Sample(DateTimeOffset at, int day)
    {
        var api = (at.Hour is >= 9 and < 18 ? 10 : 5) + day + (at.Hour == 14 ? 2 : 0);
        var busy = api / 2;
        var clients = api + 3;
        return new MonitorSample(at, true, null, 2, true, clients, 25, 28, 100.0 * clients / 25,
            new Dictionary<string, int> { ["active"] = busy, ["idle"] = api - busy + 3 },
            [new AppConnections("shop-api", api, api - busy, 0), new AppConnections("batch", 3, 3, 0)],
            []);
    }
}
