using PgMedic.Core.Common;

namespace PgMedic.Core.Alerts;

/// <summary>Stable alert names: the same in the monitor, its webhooks, its metrics and the exported Prometheus rules.</summary>
public static class AlertNames
{
    public const string ConnectionSaturation = "connection-saturation";
    public const string DatabaseConnectionFailure = "database-connection-failure";
    public const string IdleInTransaction = "idle-in-transaction";
    public const string LeakGrowth = "leak-growth";
    public const string ExhaustionForecast = "exhaustion-forecast";
    public const string BlockingChain = "blocking-chain";

    /// <summary>The availability objective's error budget burns too fast (the SRE workbook's multiwindow alerts); subject = the long window.</summary>
    public const string SloBurnRate = "slo-burn-rate";

    public static IReadOnlyList<string> All { get; } = [ConnectionSaturation, DatabaseConnectionFailure, IdleInTransaction, LeakGrowth, ExhaustionForecast, BlockingChain, SloBurnRate];
}

/// <summary>
/// Every alert rule's thresholds, with the runbook's defaults in one place. <see cref="Validate"/> reports every error at once.
/// A rule's <c>For</c> is how long its condition must hold before a pending alert fires.
/// </summary>
public sealed record AlertRuleOptions
{
    public SaturationRuleOptions ConnectionSaturation { get; init; } = new();

    public FailureRuleOptions DatabaseConnectionFailure { get; init; } = new();

    public FindingRuleOptions IdleInTransaction { get; init; } = new();

    public LeakGrowthRuleOptions LeakGrowth { get; init; } = new();

    public ForecastRuleOptions ExhaustionForecast { get; init; } = new();

    public FindingRuleOptions BlockingChain { get; init; } = new();

    public SloBurnRateRuleOptions SloBurnRate { get; init; } = new();

    /// <summary>The longest stretch of history any rule looks at.</summary>
    public TimeSpan HistoryNeeded(TimeSpan pollInterval) =>
        new[] { DatabaseConnectionFailure.Window, ExhaustionForecast.Window, pollInterval * (LeakGrowth.Samples + 1) }.Max();

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var s = ConnectionSaturation;
        ThresholdRules.Percent(errors, "alerts.connectionSaturation.warningPercent", s.WarningPercent);
        ThresholdRules.Percent(errors, "alerts.connectionSaturation.criticalPercent", s.CriticalPercent);
        ThresholdRules.Ordered(errors, "alerts.connectionSaturation", s.WarningPercent, s.CriticalPercent, rising: true, ThresholdRules.Show);

        if (s.HysteresisPercent is < 0 or >= 50)
        {
            errors.Add($"alerts.connectionSaturation.hysteresisPercent must be at least 0 and below 50 (was {s.HysteresisPercent})");
        }

        var f = DatabaseConnectionFailure;
        if (f.Ratio is <= 0 or >= 1 || double.IsNaN(f.Ratio))
        {
            errors.Add($"alerts.databaseConnectionFailure.ratio must be above 0 and below 1, e.g. 0.1 for 10 % (was {f.Ratio})");
        }

        if (f.Window <= TimeSpan.Zero)
        {
            errors.Add("alerts.databaseConnectionFailure.window must be positive");
        }

        if (LeakGrowth.Samples < 2)
        {
            errors.Add($"alerts.leakGrowth.samples must be at least 2 (was {LeakGrowth.Samples})");
        }

        if (LeakGrowth.MinGrowth < 1)
        {
            errors.Add($"alerts.leakGrowth.minGrowth must be at least 1 (was {LeakGrowth.MinGrowth})");
        }

        if (ExhaustionForecast.Horizon <= TimeSpan.Zero || ExhaustionForecast.Window <= TimeSpan.Zero)
        {
            errors.Add("alerts.exhaustionForecast.horizon and window must be positive");
        }

        if (ExhaustionForecast.MinSamples < 3)
        {
            errors.Add($"alerts.exhaustionForecast.minSamples must be at least 3 (was {ExhaustionForecast.MinSamples})");
        }

        foreach (var (name, rule) in new (string, RuleOptions)[]
        {
            ("connectionSaturation", s), ("databaseConnectionFailure", f), ("idleInTransaction", IdleInTransaction),
            ("leakGrowth", LeakGrowth), ("exhaustionForecast", ExhaustionForecast), ("blockingChain", BlockingChain), ("sloBurnRate", SloBurnRate),
        })
        {
            if (rule.For < TimeSpan.Zero)
            {
                errors.Add($"alerts.{name}.for must not be negative (was {Duration.Format(rule.For)})");
            }
        }

        return errors;
    }
}

public abstract record RuleOptions
{
    public bool Enabled { get; init; } = true;

    /// <summary>How long the condition must hold before the alert fires (pending until then).</summary>
    public TimeSpan For { get; init; } = TimeSpan.Zero;
}

/// <summary>The runbook's prevention alerts: 80 % (warning) and 90 % (critical) of usable slots.</summary>
public sealed record SaturationRuleOptions : RuleOptions
{
    public double WarningPercent { get; init; } = 80;

    public double CriticalPercent { get; init; } = 90;

    /// <summary>A firing alert resolves only once usage falls this many points below its threshold, so it does not flap.</summary>
    public double HysteresisPercent { get; init; } = 5;
}

/// <summary>The runbook's trigger: connection failures above 10 % for 2 minutes.</summary>
public sealed record FailureRuleOptions : RuleOptions
{
    public FailureRuleOptions() => For = TimeSpan.FromMinutes(2);

    /// <summary>Failed fresh connections as a share of all attempts in <see cref="Window"/>.</summary>
    public double Ratio { get; init; } = 0.10;

    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(2);
}

/// <summary>Rules that fire on a diagnose finding (idle-in-transaction, blocking-chain); thresholds are the target's diagnose thresholds.</summary>
public sealed record FindingRuleOptions : RuleOptions;

/// <summary>
/// The availability objective's multiwindow burn-rate alerts (the SRE workbook's 14.4× over 1 h and 5 m,
/// 6× over 6 h and 30 m, 1× over 3 d and 6 h); the windows and factors are the workbook's, the objective
/// is each target's (<c>slo</c>).
/// </summary>
public sealed record SloBurnRateRuleOptions : RuleOptions;

/// <summary>An application's idle connections grow (never fall) over <see cref="Samples"/> samples, by at least <see cref="MinGrowth"/>.</summary>
public sealed record LeakGrowthRuleOptions : RuleOptions
{
    public int Samples { get; init; } = 12;

    public int MinGrowth { get; init; } = 3;
}

/// <summary>The trend of client backends over <see cref="Window"/> reaches 100 % of usable slots within <see cref="Horizon"/>.</summary>
public sealed record ForecastRuleOptions : RuleOptions
{
    public TimeSpan Horizon { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(5);

    public int MinSamples { get; init; } = 6;

    /// <summary>Below this usage a rising trend is not worth an alert.</summary>
    public double MinPercent { get; init; } = 50;
}
