using Microsoft.Extensions.Time.Testing;
using PgMedic.Core.Slo;
using PgMedic.Monitor.Configuration;
using PgMedic.Monitor.History;
using PgMedic.Postgres.Sandbox;

namespace PgMedic.Monitor.Tests.Slo;

/// <summary>
/// Days passing on a fake clock, with the monitor's own probe as the objective's attempts (no pool endpoint):
/// a real server stopped for five minutes, then the monitor polling less and less often for thirty days.
/// </summary>
public sealed class SloDaysTests : IAsyncLifetime
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);
    private readonly string _directory = Directory.CreateTempSubdirectory("pgmedic-slo-days-").FullName;
    private PostgresSandbox? _sandbox;

    public async Task InitializeAsync() => _sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { MaxConnections = 20, CreatePgStatStatements = false });

    public async Task DisposeAsync()
    {
        if (_sandbox is not null)
        {
            await _sandbox.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task SloObjective_ServerDownFiveMinutesThenThirtyDaysPass_BurnAlertsResolveOnScheduleGapsAreCoverageAndTheBudgetReturns()
    {
        var sandbox = _sandbox!;
        var t0 = new DateTimeOffset(2026, 3, 2, 3, 0, 0, TimeSpan.Zero);
        var history = Path.Combine(_directory, "history.db");
        var attempts = Enumerable.Range(1, 30 * 1440).Select(m => new SloEntry(t0 - TimeSpan.FromDays(30) + TimeSpan.FromMinutes(m), new SloCounts(12, 0, 60))).ToList();
        using (var store = new SqliteHistoryStore(history))
        {
            await store.AddSloMinutesAsync("main", attempts, CancellationToken.None);
        }

        var options = new MonitorOptions
        {
            Targets = [RunningMonitor.Target("main", sandbox.SuperuserTarget)],
            PollInterval = Poll,
            HistoryPath = history,
            AuditLogPath = Path.Combine(_directory, "audit.jsonl"),
        };
        var polls = new List<DateTimeOffset> { t0 };
        await using var monitor = await FakeClockMonitor.StartAsync(options, new FakeTimeProvider(t0));
        attempts.Add(new SloEntry(t0, new SloCounts(1, 0, Poll.TotalSeconds)));

        async Task StepAsync(TimeSpan by, bool failing)
        {
            var previous = monitor.Time.GetUtcNow();
            await monitor.StepAsync(by);
            var now = monitor.Time.GetUtcNow();
            var sample = monitor.State.Get("main")!.Sample!;
            Assert.Equal(!failing, sample.ProbeSucceeded);
            polls.Add(now);

            // One probe a poll, observing at most two intervals.
            attempts.Add(new SloEntry(now, new SloCounts(failing ? 0 : 1, failing ? 1 : 0, (now - previous) < 2 * Poll ? (now - previous).TotalSeconds : Poll.TotalSeconds)));
        }

        for (var i = 0; i < 12; i++)
        {
            await StepAsync(Poll, failing: false);
        }

        await sandbox.StopServerAsync();
        try
        {
            for (var i = 0; i < 60; i++)
            {
                await StepAsync(Poll, failing: true);
            }
        }
        finally
        {
            await sandbox.StartServerAsync();
        }

        var lastFailure = polls[^1];
        for (var i = 0; i < 72; i++)
        {
            await StepAsync(Poll, failing: false);
        }

        // Then the monitor polls late — a minute apart, then five minutes apart — past the ticket's six hours.
        foreach (var (every, count) in new[] { (TimeSpan.FromMinutes(1), 40), (TimeSpan.FromMinutes(5), 80) })
        {
            for (var i = 0; i < count; i++)
            {
                await StepAsync(every, failing: false);
            }
        }

        var events = (await monitor.GetJsonAsync($"/api/alerts/events?target=main&since={t0.AddMinutes(-1):yyyy-MM-ddTHH:mm:ssZ}&limit=5000")).EnumerateArray()
            .Where(e => e.GetProperty("alert").GetString() == "slo-burn-rate" && e.GetProperty("state").GetString() != "pending")
            .ToList();
        DateTimeOffset? When(string window, string state) => events
            .Where(e => e.GetProperty("subject").GetString() == window && e.GetProperty("state").GetString() == state)
            .Select(e => (DateTimeOffset?)e.GetProperty("at").GetDateTimeOffset()).FirstOrDefault();

        // Every alert fired and resolved when the arithmetic says, over every attempt the probe made.
        var expected = WorkbookArithmetic.Expected(attempts, polls, 0.001);
        foreach (var w in BurnRateWindow.All)
        {
            Assert.True(expected[w.Name].Fires == When(w.Name, "firing"), $"{w}: fires at {expected[w.Name].Fires:O} by the arithmetic, the monitor at {When(w.Name, "firing"):O}");
            Assert.True(expected[w.Name].Resolves == When(w.Name, "resolved"), $"{w}: resolves at {expected[w.Name].Resolves:O} by the arithmetic, the monitor at {When(w.Name, "resolved"):O}");
        }

        // 51.8 s, 129.6 s and 259.2 s of outage at one probe every 5 s; the page clean 5 minutes after, the
        // 6-hour page once its 30 minutes hold no failure, the ticket once its 6 hours do.
        Assert.Equal(t0 + ((12 + 11) * Poll), When("1h", "firing"));
        Assert.Equal(t0 + ((12 + 26) * Poll), When("6h", "firing"));
        Assert.Equal(t0 + ((12 + 52) * Poll), When("3d", "firing"));
        Assert.Equal(lastFailure + TimeSpan.FromMinutes(5), When("1h", "resolved"));
        Assert.Equal(polls.First(p => p >= lastFailure + TimeSpan.FromMinutes(30)), When("6h", "resolved"));
        Assert.Equal(polls.First(p => p >= lastFailure + TimeSpan.FromHours(6)), When("3d", "resolved"));
        Assert.Empty((await monitor.GetJsonAsync("/api/alerts?target=main")).EnumerateArray());

        // Thirty more days, polled every six hours.
        for (var i = 0; i < 4 * 30; i++)
        {
            await StepAsync(TimeSpan.FromHours(6), failing: false);
        }

        // Thirty days on, the outage has left the window: the whole budget is back. The monitor polled only
        // every six hours, so most of the window was not observed: coverage, not availability, says so.
        var slo = (await monitor.GetJsonAsync("/api/targets/main/slo")).GetProperty("slo");
        Assert.Equal(0, slo.GetProperty("failures").GetInt64());
        Assert.Equal(100, slo.GetProperty("availabilityPercent").GetDouble());
        Assert.Equal(1, slo.GetProperty("budgetRemainingRatio").GetDouble());
        Assert.Equal(43.2, slo.GetProperty("budgetRemainingMinutes").GetDouble(), 3);
        var coverage = slo.GetProperty("coverageRatio").GetDouble();
        Assert.InRange(coverage, 0.0001, 0.001);
        var file = await monitor.CliAsync("slo", "main", "--history", history);
        Assert.True(file.ExitCode == 0, file.Out + file.Error);
        Assert.Contains("WITHIN BUDGET main: availability 100 % over 30d (objective 99.9 %)", file.Out, StringComparison.Ordinal);
        Assert.Contains("coverage: 0 % of the window observed", file.Out, StringComparison.Ordinal);
    }
}
