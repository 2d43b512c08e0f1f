using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PgMedic.Monitor.Polling;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Monitor.Tests.SessionHistory;

/// <summary>Sampling sessions every second between 5 s polls, over the poller's own lifeline.</summary>
[Collection(MonitorCollection.Name)]
public sealed class SessionSamplerTests(MonitorSandbox fixture)
{
    [Fact]
    public async Task SessionHistory_OneSecondBetweenFiveSecondPolls_SamplesEverySecondOverTheLifelineWithoutASecondConnection()
    {
        var sandbox = fixture.Sandbox;
        await using var held = await HeldConnections.OpenAsync(sandbox.SuperuserTarget, 3, "batch-export");
        await held.ExecuteOnEachAsync("BEGIN; SELECT 42");
        // Backends named pgmedic that an earlier test's monitor left closing are not this monitor's.
        var earlier = (await ServerState.PidsOfApplicationAsync(sandbox, "pgmedic")).ToHashSet();
        await using var monitor = await RunningMonitor.StartAsync(sandbox.SuperuserTarget, o => o with
        {
            PollInterval = TimeSpan.FromSeconds(5),
            Targets = [o.Targets[0] with { SessionSampleInterval = TimeSpan.FromSeconds(1) }],
        });
        await monitor.WaitForFirstPollAsync();
        var poller = monitor.Services.GetRequiredService<PollingService>().Pollers["main"];
        var stopwatch = Stopwatch.StartNew();
        var pgmedic = new HashSet<int>();
        await using (var observer = await PostgresSandbox.OpenAsync(sandbox.SuperuserTarget, applicationName: "observer"))
        {
            while (stopwatch.Elapsed < TimeSpan.FromSeconds(3.6))
            {
                await using var command = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE application_name = 'pgmedic' AND state IS NOT NULL", observer);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    if (!earlier.Contains(reader.GetInt32(0)))
                    {
                        pgmedic.Add(reader.GetInt32(0));
                    }
                }

                await Task.Delay(100);
            }
        }

        // Three or more samples in 3.6 s while one poll ran: the sampler's own, every second.
        var samples = poller.Sessions!.Pending;
        Assert.InRange(samples.Count, 3, 6);
        Assert.False(poller.Sessions.FromPolls);
        Assert.Equal(1, poller.Lifeline.ConnectionsOpened);

        // One long-lived pgmedic backend all along: the lifeline (and at most the one poll's fresh probe, gone at once).
        Assert.Contains(LifelinePid(poller), pgmedic);
        Assert.True(pgmedic.Count <= 2, $"pgmedic backends seen: {string.Join(", ", pgmedic)}");

        var moment = await monitor.GetJsonAsync("/api/targets/main/activity");
        var holder = moment.GetProperty("holders").EnumerateArray().Single(h => h.GetProperty("application").GetString() == "batch-export");
        Assert.Equal(3, holder.GetProperty("byState").GetProperty("idle in transaction").GetDouble());
        Assert.Equal("SELECT ?", holder.GetProperty("query").GetString());
    }

    private static int LifelinePid(TargetPoller poller) =>
        poller.Lifeline.UseAsync(connection => Task.FromResult(connection.ProcessID), CancellationToken.None).GetAwaiter().GetResult().Result;
}
