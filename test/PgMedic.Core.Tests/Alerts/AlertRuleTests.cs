using Microsoft.Extensions.Time.Testing;
using PgMedic.Core.Alerts;
using PgMedic.Core.Diagnosis;

namespace PgMedic.Core.Tests.Alerts;

/// <summary>The alert rules as pure functions over sample history, driven by a fake clock.</summary>
public sealed class AlertRuleTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 7, 31, 3, 0, 0, TimeSpan.Zero));
    private readonly List<MonitorSample> _history = [];
    private readonly AlertEngine _engine = new();

    [Fact]
    public void Saturation_CrossingEightyThenNinetyThenDropping_FiresWarningThenCriticalAndResolvesBothOnce()
    {
        var options = new AlertRuleOptions();
        Assert.Empty(Step(options, used: 70));
        var warning = Step(options, used: 85);
        Assert.Contains(warning, t => t.Key.Rule == AlertNames.ConnectionSaturation && t.Severity == Severity.Warning && t.State == AlertState.Firing);
        var critical = Step(options, used: 92);
        Assert.Contains(critical, t => t.Key.Rule == AlertNames.ConnectionSaturation && t.Severity == Severity.Critical && t.State == AlertState.Firing);
        Assert.DoesNotContain(critical, t => t.Severity == Severity.Warning);

        // Hysteresis: 88 % is below 90 % but within 5 points: the critical alert keeps firing, nothing is sent.
        Assert.DoesNotContain(Step(options, used: 88), t => t.Key.Rule == AlertNames.ConnectionSaturation);
        var resolved = Step(options, used: 10).Where(t => t.Key.Rule == AlertNames.ConnectionSaturation).ToList();
        Assert.Equal(2, resolved.Count);
        Assert.All(resolved, t => Assert.Equal(AlertState.Resolved, t.State));
        Assert.Empty(Step(options, used: 10));
    }

    [Fact]
    public void DatabaseConnectionFailure_FailuresAboveTenPercent_FiresOnlyAfterItsForDuration()
    {
        var options = new AlertRuleOptions { DatabaseConnectionFailure = new FailureRuleOptions { Window = TimeSpan.FromMinutes(2), For = TimeSpan.FromMinutes(2) } };
        for (var i = 0; i < 24; i++)
        {
            Step(options, used: 10);
        }

        var fired = new List<TimeSpan>();
        var start = _time.GetUtcNow();
        for (var i = 0; i < 40; i++)
        {
            if (Step(options, used: 0, probeOk: false).Any(t => t.Key.Rule == AlertNames.DatabaseConnectionFailure && t.State == AlertState.Firing))
            {
                fired.Add(_time.GetUtcNow() - start);
            }
        }

        var at = Assert.Single(fired);
        Assert.InRange(at, TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(20));
        var resolvedAfter = Enumerable.Range(0, 30).First(_ => Step(options, used: 10).Any(t => t.Key.Rule == AlertNames.DatabaseConnectionFailure && t.State == AlertState.Resolved));
        Assert.InRange(resolvedAfter, 1, 25);
    }

    [Fact]
    public void LeakGrowth_IdleConnectionsOfOneApplicationKeepGrowing_NamesThatApplication()
    {
        var options = new AlertRuleOptions { LeakGrowth = new LeakGrowthRuleOptions { Samples = 6, MinGrowth = 3 } };
        IReadOnlyList<AlertTransition> last = [];
        for (var idle = 1; idle <= 6; idle++)
        {
            last = Step(options, used: 10, apps: [new AppConnections("billing", idle, idle, 0), new AppConnections("web", 4, 2, 0)]);
        }

        var leak = Assert.Single(last, t => t.Key.Rule == AlertNames.LeakGrowth && t.State == AlertState.Firing);
        Assert.Equal("billing", leak.Key.Subject);
        Assert.Contains("grew from 1 to 6", leak.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void ExhaustionForecast_SteadyClimb_FiresBeforeTheServerIsFull()
    {
        var options = new AlertRuleOptions();
        var firedAt = -1;
        for (var used = 50; used <= 100 && firedAt < 0; used++)
        {
            if (Step(options, used).Any(t => t.Key.Rule == AlertNames.ExhaustionForecast && t.State == AlertState.Firing))
            {
                firedAt = used;
            }
        }

        // One connection every 5 s (12 a minute): 45 free slots are under 4 minutes away, so it fires as soon
        // as it has its minimum of samples — at 55 %, long before the server is full.
        Assert.InRange(firedAt, 55, 60);
    }

    [Fact]
    public void AlertEngine_RestoredFiringAlert_DoesNotFireAgain()
    {
        var options = new AlertRuleOptions();
        Step(options, used: 85);
        var restored = new AlertEngine(_engine.Active);
        _time.Advance(Interval);
        _history.Add(Sample(85, true, []));
        var transitions = restored.Apply(AlertSignals.Evaluate("main", _history, options, Interval), _time.GetUtcNow(), "main");
        Assert.DoesNotContain(transitions, t => t.Key.Rule == AlertNames.ConnectionSaturation);
    }

    [Fact]
    public void LostView_PollsWithoutASnapshotWhileAlertsFireOrWait_NoResolveNoRefireAndPendingKeepsItsStart()
    {
        var options = new AlertRuleOptions
        {
            ConnectionSaturation = new SaturationRuleOptions { For = TimeSpan.FromSeconds(20) },
            ExhaustionForecast = new ForecastRuleOptions { Enabled = false },
        };
        Step(options, used: 85);
        Step(options, used: 85);
        Step(options, used: 85);
        var fired = Step(options, used: 85).Concat(Step(options, used: 85)).ToList();
        Assert.Contains(fired, t => t.Key.Rule == AlertNames.ConnectionSaturation && t.State == AlertState.Firing);
        Step(options, used: 93);
        var since = _engine.Active.Single(a => a.Key.Severity == Severity.Critical).Since;

        var blind = Enumerable.Range(0, 6).SelectMany(_ => Stale(options)).ToList();

        Assert.Empty(blind);
        Assert.Equal(AlertState.Firing, _engine.Active.Single(a => a.Key.Severity == Severity.Warning).State);
        Assert.Equal((AlertState.Pending, since), _engine.Active.Where(a => a.Key.Severity == Severity.Critical).Select(a => (a.State, a.Since)).Single());
        Assert.DoesNotContain(Step(options, used: 85), t => t.Severity == Severity.Warning);
        Assert.Contains(Step(options, used: 10), t => t.Severity == Severity.Warning && t.State == AlertState.Resolved);
    }

    private IReadOnlyList<AlertTransition> Stale(AlertRuleOptions options)
    {
        _time.Advance(Interval);

        // The probe answers, the lifeline does not: no snapshot.
        _history.Add(Sample(0, true, []) with { Collected = false, ClientBackends = 0, PercentUsed = 0 });
        return _engine.Apply(AlertSignals.Evaluate("main", _history, options, Interval), _time.GetUtcNow(), "main", AlertSignals.IsStale(_history));
    }

    private IReadOnlyList<AlertTransition> Step(AlertRuleOptions options, int used, bool probeOk = true, IReadOnlyList<AppConnections>? apps = null)
    {
        _time.Advance(Interval);
        _history.Add(Sample(used, probeOk, apps ?? []));
        return _engine.Apply(AlertSignals.Evaluate("main", _history, options, Interval), _time.GetUtcNow(), "main", AlertSignals.IsStale(_history));
    }

    private MonitorSample Sample(int used, bool probeOk, IReadOnlyList<AppConnections> apps) =>
        new(_time.GetUtcNow(), probeOk, probeOk ? null : "refused", probeOk ? 3 : null, probeOk, probeOk ? used : 0, 100, 103, probeOk ? used : 0,
            new Dictionary<string, int> { ["idle"] = used }, apps, []);
}
