using Microsoft.Extensions.Time.Testing;
using PgMedic.Core.Alerts;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Slo;

namespace PgMedic.Core.Tests.Slo;

/// <summary>
/// The SRE workbook's arithmetic on a 99.9 % objective over 30 days, with a probe every 5 s and 30 days of
/// good attempts before: a total outage spends 14.4 × 0.1 % of an hour (51.8 s) before the page fires,
/// 6 × 0.1 % of six hours (129.6 s) before the 6-hour page, 0.1 % of three days (259.2 s) before the ticket.
/// </summary>
public sealed class SloEvaluatorTests
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 2, 3, 0, 0, TimeSpan.Zero));
    private readonly SloOptions _options = new();
    private readonly SloLedger _ledger = new(TimeSpan.FromDays(30));
    private readonly AlertEngine _engine = new();

    public SloEvaluatorTests()
    {
        // 30 days before now, one good probe every 5 s, kept per minute as a restarted monitor takes them up.
        var start = _time.GetUtcNow() - TimeSpan.FromDays(30);
        for (var m = 1; m <= 30 * 1440; m++)
        {
            _ledger.Add(new SloEntry(start.AddMinutes(m), new SloCounts(12, 0, 60)));
        }
    }

    [Fact]
    public void BurnRateAlerts_TotalOutageAfterThirtyGoodDays_FireAtTheWorkbooksSecondsAndThePageResolvesFiveMinutesAfter()
    {
        var fired = new Dictionary<string, int>();
        var resolved = new Dictionary<string, int>();
        for (var poll = 1; poll <= 60 + 400; poll++)
        {
            var failing = poll <= 60;
            foreach (var t in Step(failing).Where(t => t.State != AlertState.Pending))
            {
                (t.State == AlertState.Firing ? fired : resolved).TryAdd(t.Key.Subject, poll);
            }
        }

        // 51.8 s, 129.6 s and 259.2 s of complete outage, rounded up to the next 5 s poll.
        Assert.Equal(11, fired["1h"]);
        Assert.Equal(26, fired["6h"]);
        Assert.Equal(52, fired["3d"]);

        // The page resolves once its 5-minute window holds no failure: 60 polls after the last failing one.
        Assert.Equal(60 + 60, resolved["1h"]);
        Assert.DoesNotContain("3d", resolved.Keys);
    }

    [Fact]
    public void Status_FiveMinutesOfOutage_AvailabilityAndBudgetAreTheArithmetic()
    {
        for (var poll = 1; poll <= 60; poll++)
        {
            Step(failing: true);
        }

        var status = SloEvaluator.Status(_ledger, _options, FailureSignal.Probe, _time.GetUtcNow());

        // 518,400 attempts in 30 days and 60 polls more: the oldest hour, five minutes of which left the
        // window, counts whole. 60 failed.
        Assert.Equal(518_460, status.Attempts);
        Assert.Equal(60, status.Failures);
        Assert.Equal(100.0 * (518_460 - 60) / 518_460, status.AvailabilityPercent!.Value, 6);
        Assert.Equal(518.46, status.BudgetAttempts, 3);
        Assert.Equal(458.46, status.BudgetRemainingAttempts, 3);
        Assert.Equal(43.2, status.BudgetMinutes, 3);

        // 60 of 518.46 allowed failures: 11.6 % of the budget, 5 of its 43.2 minutes.
        Assert.Equal(1 - (60 / 518.46), status.BudgetRemainingRatio, 5);
        Assert.Equal(43.2 - 5, status.BudgetRemainingMinutes, 1);
        Assert.Equal(1.0, status.CoverageRatio, 3);
    }

    [Fact]
    public void Status_NoAttempts_NoAvailabilityAndNothingSpent()
    {
        var empty = new SloLedger(TimeSpan.FromDays(30));
        var status = SloEvaluator.Status(empty, _options, FailureSignal.Application, _time.GetUtcNow());

        Assert.Null(status.AvailabilityPercent);
        Assert.Equal(1, status.BudgetRemainingRatio);
        Assert.All(status.BurnRates, b => Assert.False(b.Burning));
    }

    [Fact]
    public void Coverage_MonitorStoppedForADay_CountsTheDayAsNeitherGoodNorBad()
    {
        var ledger = new SloLedger(TimeSpan.FromDays(30));
        var start = _time.GetUtcNow();
        for (var m = 1; m <= 7 * 1440; m++)
        {
            // Three days observed, then a day without the monitor, then three more.
            if (m is <= 3 * 1440 or > 4 * 1440)
            {
                ledger.Add(new SloEntry(start.AddMinutes(m), new SloCounts(12, 0, 60)));
            }
        }

        var status = SloEvaluator.Status(ledger, _options, FailureSignal.Probe, start.AddDays(7));

        Assert.Equal(100, status.AvailabilityPercent);
        Assert.Equal(6 * 1440 * 12, status.Attempts);
        Assert.Equal(6.0 / 7, status.CoverageRatio, 3);
    }

    private IReadOnlyList<AlertTransition> Step(bool failing)
    {
        _time.Advance(Poll);
        var now = _time.GetUtcNow();
        _ledger.Add(new SloEntry(now, new SloCounts(failing ? 0 : 1, failing ? 1 : 0, Poll.TotalSeconds)));
        var status = SloEvaluator.Status(_ledger, _options, FailureSignal.Probe, now);
        return _engine.Apply(SloEvaluator.BurnRateSignals("shop", status, _options, new SloBurnRateRuleOptions()), now, "shop");
    }
}
