using PgMedic.Core.Alerts;
using PgMedic.Core.Diagnosis;

namespace PgMedic.Core.Tests.Alerts;

/// <summary>
/// The services' own failure rate — (timeouts + connect failures) / attempts from their pool endpoints'
/// counters — and the one database-connection-failure alert over it and the probe.
/// </summary>
public sealed class ApplicationFailureRateTests
{
    private const string Endpoint = "http://127.0.0.1:8080/health/pool";
    private static readonly DateTimeOffset Start = new(2025, 7, 31, 3, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    [Fact]
    public void Increase_CounterFallsWhenTheServiceRestarts_CountsTheNewValueWholeLikePrometheus()
    {
        // 100 → 130 → 160, restart, 20 → 50: 30 + 30 + 20 + 30. A naive last − first would say −50.
        Assert.Equal(110, FailureRates.Increase([100, 130, 160, 20, 50]));
        Assert.Equal(0, FailureRates.Increase([7]));
        Assert.Equal(0, FailureRates.Increase([]));
    }

    [Fact]
    public void Measure_OneProcessRestartsMidWindowAnotherKeepsRunning_SumsBothAcrossTheReset()
    {
        // Process 311 hands out 80 and times out 20 per step, restarts (same pid, container restart: counters
        // fall), and goes on at the same rate; process 312 hands out 50 a step without a failure.
        var history = new[]
        {
            At(0, Instance("311@api", 1000, 100), Instance("312@api", 500, 0)),
            At(1, Instance("311@api", 1080, 120), Instance("312@api", 550, 0)),
            At(2, Instance("311@api", 40, 10), Instance("312@api", 600, 0)),
            At(3, Instance("311@api", 120, 30), Instance("312@api", 650, 0)),
        };

        var app = FailureRates.Measure(history, Window).Application!;

        // 311: (80+20) + (40+10 after the reset) + (80+20) = 250 attempts, 50 failed; 312: 150 attempts.
        Assert.Equal((400L, 50L, 2), (app.Attempts, app.Failures, app.Processes));
        Assert.Equal(0.125, app.Ratio);
    }

    [Fact]
    public void Measure_StartedAtChangesWhileTheCounterStillRose_IsARestartToo()
    {
        var before = Start.AddHours(-1);
        var restarted = Start.AddSeconds(1);
        var history = new[]
        {
            At(0, Instance("1@api", 5, 0, startedAt: before)),
            At(2, Instance("1@api", 30, 0, connectFailures: 10, startedAt: restarted)),
        };

        var app = FailureRates.Measure(history, Window).Application!;

        // Not 25 checkouts: the new process counted all 30 (and its 10 connect failures) itself.
        Assert.Equal((40L, 10L, 10L), (app.Attempts, app.Failures, app.ConnectFailures));
    }

    [Fact]
    public void Measure_ReadingsOlderThanTheWindow_AreNotCounted()
    {
        var history = new[]
        {
            At(0, Instance("1@api", 0, 0)),
            At(1, Instance("1@api", 0, 90)),
            At(12, Instance("1@api", 100, 90)),
            At(13, Instance("1@api", 200, 90)),
        };

        var app = FailureRates.Measure(history, Window).Application!;

        Assert.Equal((100L, 0L), (app.Attempts, app.Failures));
    }

    [Fact]
    public void Failure_ServicesTimeOutOneInFiveWhileTheProbeSucceeds_FiresAfterItsForSaysApplicationAndResolvesOnRecovery()
    {
        var options = new AlertRuleOptions { DatabaseConnectionFailure = new FailureRuleOptions { Window = Window, For = Window } };
        var engine = new AlertEngine();
        var history = new List<MonitorSample>();
        long checkouts = 0, timeouts = 0;
        var transitions = new List<(int Second, AlertTransition Transition)>();
        for (var second = 0; second <= 40; second++)
        {
            // Seconds 5–19: 8 handed out and 2 timed out each second (20 %); otherwise 10 handed out.
            var failing = second is >= 5 and < 20;
            checkouts += failing ? 8 : 10;
            timeouts += failing ? 2 : 0;
            history.Add(At(second, Instance("311@api", checkouts, timeouts)));
            transitions.AddRange(engine.Apply(AlertSignals.Evaluate("main", history, options, TimeSpan.FromSeconds(1)), history[^1].At, "main")
                .Where(t => t.Key.Rule == AlertNames.DatabaseConnectionFailure)
                .Select(t => (second, t)));
        }

        // The ten readings of a 10 s window hold nine steps. Pending at second 9 (5 failing steps: 10 of 90,
        // 11 %), firing its 10 s later with every step failing.
        Assert.Equal(9, Assert.Single(transitions, t => t.Transition.State == AlertState.Pending).Second);
        var fired = Assert.Single(transitions, t => t.Transition.State == AlertState.Firing);
        Assert.Equal(19, fired.Second);
        Assert.Equal(FailureSignal.Application, fired.Transition.Signal);
        Assert.Equal(0.2, fired.Transition.Value);
        Assert.StartsWith("the services' checkouts: 18 of 90 failed (18 timed out, 0 could not connect) across 1 process(es) in the last 10s (20 %, threshold 10 %)", fired.Transition.Summary, StringComparison.Ordinal);
        Assert.Contains("the monitor's probe: 0 of 10 connection attempts failed", fired.Transition.Summary, StringComparison.Ordinal);

        // Healthy again from second 20: at second 24 four failing steps are left, 8 of 90 (8.9 %).
        var resolved = Assert.Single(transitions, t => t.Transition.State == AlertState.Resolved);
        Assert.Equal(24, resolved.Second);
        Assert.Equal(FailureSignal.Application, resolved.Transition.Signal);
    }

    [Fact]
    public void Failure_PoolEndpointAnswersNoPollInTheWindow_TripsTheApplicationSignalNamingIt()
    {
        var options = new AlertRuleOptions { DatabaseConnectionFailure = new FailureRuleOptions { Window = Window, For = TimeSpan.Zero } };
        var history = new List<MonitorSample>
        {
            At(0, Instance("311@api", 100, 0)),
            At(1, Instance("311@api", 110, 0)),
        };
        for (var second = 2; second <= 12; second++)
        {
            history.Add(Silent(second, "Connection refused (127.0.0.1:8080)"));
        }

        var signal = Assert.Single(AlertSignals.Evaluate("main", history, options, TimeSpan.FromSeconds(1)), s => s.Key.Rule == AlertNames.DatabaseConnectionFailure);

        Assert.True(signal.Active);
        Assert.Equal(FailureSignal.Application, signal.Signal);
        Assert.Equal(1, signal.Value);
        Assert.StartsWith($"pool endpoint {Endpoint} answered no poll in the last 10s: Connection refused (127.0.0.1:8080)", signal.Summary, StringComparison.Ordinal);

        // One missed poll between answers is a gap, not silence: the counters carry what happened.
        history.Add(At(13, Instance("311@api", 130, 0)));
        Assert.False(Assert.Single(AlertSignals.Evaluate("main", history, options, TimeSpan.FromSeconds(1)), s => s.Key.Rule == AlertNames.DatabaseConnectionFailure).Active);
    }

    [Fact]
    public void Failure_ProbeFailsWhileTheServicesAreFine_SaysProbe()
    {
        var options = new AlertRuleOptions { DatabaseConnectionFailure = new FailureRuleOptions { Window = Window, For = TimeSpan.Zero } };
        var history = Enumerable.Range(0, 5).Select(s => At(s, Instance("311@api", s * 10, 0)) with { ProbeSucceeded = false, ProbeReason = "too-many-clients" }).ToList();

        var signal = Assert.Single(AlertSignals.Evaluate("main", history, options, TimeSpan.FromSeconds(1)), s => s.Key.Rule == AlertNames.DatabaseConnectionFailure);

        Assert.True(signal.Active);
        Assert.Equal(FailureSignal.Probe, signal.Signal);
        Assert.StartsWith("the monitor's probe: 5 of 5 connection attempts failed in the last 10s (100 %, threshold 10 %): too-many-clients", signal.Summary, StringComparison.Ordinal);
    }

    private static PoolInstance Instance(string process, long checkouts, long timeouts, long connectFailures = 0, DateTimeOffset? startedAt = null) =>
        new(process, "shop-api", checkouts, timeouts, connectFailures, startedAt);

    private static MonitorSample At(int second, params PoolInstance[] instances) =>
        Probed(second) with { PoolEndpoints = [new PoolEndpointReading(Endpoint, null, instances)] };

    private static MonitorSample Silent(int second, string error) =>
        Probed(second) with { PoolEndpoints = [new PoolEndpointReading(Endpoint, error, [])] };

    private static MonitorSample Probed(int second) =>
        MonitorSample.Unreadable(Start.AddSeconds(second), true, null, 2, []);
}
