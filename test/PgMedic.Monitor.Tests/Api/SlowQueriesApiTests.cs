using Npgsql;
using PgMedic.Postgres.Sandbox;

namespace PgMedic.Monitor.Tests.Api;

/// <summary>The dashboard's slow-query panel reads the monitor's API while the monitor polls the same server.</summary>
[Collection(MonitorCollection.Name)]
public sealed class SlowQueriesApiTests(MonitorSandbox fixture)
{
    [Fact]
    public async Task SlowQueries_MonitorPollingTheServer_ListsTheApplicationsStatementsNotThePollersOrTheDrivers()
    {
        var sandbox = fixture.Sandbox;
        await sandbox.ExecuteAsync("SELECT pg_stat_statements_reset()");
        await using var monitor = await RunningMonitor.StartAsync(sandbox.SuperuserTarget);
        await using (var connection = await PostgresSandbox.OpenAsync(sandbox.SuperuserTarget, applicationName: "shop-api"))
        {
            for (var i = 0; i < 2; i++)
            {
                await using var command = new NpgsqlCommand("SELECT pg_sleep(0.05)", connection);
                await command.ExecuteNonQueryAsync();
            }
        }

        await Task.Delay(1000);

        var view = await monitor.GetJsonAsync("/api/targets/main/slow-queries");

        var report = view.GetProperty("report");
        var statements = report.GetProperty("statements").EnumerateArray().ToList();
        Assert.Contains(statements, s => s.GetProperty("query").GetString() == "SELECT pg_sleep($1)");
        Assert.All(statements, s => Assert.Equal("application", s.GetProperty("source").GetString()));
        Assert.DoesNotContain(statements, s => s.GetProperty("query").GetString()!.Contains("pg_stat_get_activity", StringComparison.Ordinal));
        Assert.True(report.GetProperty("hidden").GetInt32() >= 5, report.ToString());
    }
}
