using PgMedic.Monitor.Configuration;

namespace PgMedic.Monitor.Tests.Configuration;

/// <summary>The objective and session-history settings: defaults, a target's own, and every mistake at once.</summary>
public sealed class SloConfigurationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pgmedic-config-slo-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Read_NoObjectiveGiven_TheRunbooks999OverThirtyDaysAndSamplingAtEveryPoll()
    {
        var options = MonitorConfigReader.Read(Write("""{ "targets": [ { "name": "shop", "connection": "postgres://monitor@db/shop" } ] }"""), [], _ => null, null);

        var target = options.Targets[0];
        Assert.Equal((99.9, TimeSpan.FromDays(30)), (target.Slo.ObjectivePercent, target.Slo.Window));
        Assert.Equal(43.2, target.Slo.BudgetMinutes, 6);
        Assert.True(target.SessionHistory);
        Assert.Equal(options.PollInterval, target.SampleInterval(options.PollInterval));
        Assert.Equal((10, TimeSpan.FromDays(1)), (options.SessionHistory.TopSessions, options.SessionHistory.DownsampleAfter));
    }

    [Fact]
    public void Read_TopLevelAndTargetSettings_TheTargetsOwnWinAndTheRestIsInherited()
    {
        var options = MonitorConfigReader.Read(Write("""
            {
              "slo": { "objective": 99.5, "window": "28d" },
              "sessionHistory": { "interval": "2s", "topSessions": 20, "downsampleAfter": "12h", "retention": "3d" },
              "targets": [
                { "name": "shop", "connection": "postgres://monitor@db/shop", "slo": { "objective": 99.95 }, "sessionHistory": { "interval": "1s" } },
                { "name": "billing", "connection": "postgres://monitor@db/billing", "sessionHistory": { "enabled": false } }
              ]
            }
            """), [], _ => null, null);

        Assert.Equal((99.95, TimeSpan.FromDays(28)), (options.Targets[0].Slo.ObjectivePercent, options.Targets[0].Slo.Window));
        Assert.Equal(TimeSpan.FromSeconds(1), options.Targets[0].SampleInterval(options.PollInterval));
        Assert.Equal((99.5, false), (options.Targets[1].Slo.ObjectivePercent, options.Targets[1].SessionHistory));
        Assert.Equal(TimeSpan.FromSeconds(2), options.Targets[1].SampleInterval(options.PollInterval));
        Assert.Equal((20, TimeSpan.FromHours(12), TimeSpan.FromDays(3)), (options.SessionHistory.TopSessions, options.SessionHistory.DownsampleAfter, options.SessionHistory.Retention));
    }

    [Fact]
    public void Read_BadObjectiveAndSamplingSettings_EveryErrorAtOnceAndTyposWithTheKeyMeant()
    {
        var path = Write("""
            {
              "slo": { "objective": 100, "window": "1d", "windw": "30d" },
              "sessionHistory": { "interval": "100ms", "topSessions": 0, "downsampleAfter": "30d" },
              "alerts": { "sloBurnRat": { "enabled": false } },
              "targets": [ { "name": "shop", "connection": "postgres://monitor@db/shop", "slo": { "objective": "high" }, "sessionHistory": { "interval": "2h" } } ]
            }
            """);

        var errors = Assert.Throws<MonitorConfigException>(() => MonitorConfigReader.Read(path, [], _ => null, null)).Errors;

        Assert.Contains(errors, e => e.EndsWith("unknown key 'slo.windw' — did you mean 'slo.window'?", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.EndsWith("unknown key 'alerts.sloBurnRat' — did you mean 'alerts.sloBurnRate'?", StringComparison.Ordinal));
        Assert.Contains("slo.objective must be a percentage above 0 and below 100, e.g. 99.9 (was 100)", errors);
        Assert.Contains("slo.window must be between 3d and 90d (was 1d): the burn-rate alerts look back 3 days", errors);
        Assert.Contains("sessionHistory.interval must be between 1s and 1h (was 100ms); leave it out to sample at every poll", errors);
        Assert.Contains("sessionHistory.topSessions must be between 1 and 100 (was 0)", errors);
        Assert.Contains("sessionHistory.downsampleAfter must be between 10m and the session history's retention 7d (was 30d)", errors);
        Assert.Contains("targets.0.slo.objective 'high' is not a number", errors);
        Assert.Contains("targets[0] (shop).sessionHistory.interval must be between 1s and 1h (was 2h); leave it out to sample at every poll", errors);
    }

    private string Write(string json)
    {
        var path = Path.Combine(_directory, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }
}
