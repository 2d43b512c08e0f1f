using PgMedic.Core.Common;

namespace PgMedic.Core.Diagnosis;

/// <summary>Every threshold the rules use, with defaults in one place. <see cref="Validate"/> reports every error at once.</summary>
public sealed record DiagnosisOptions
{
    /// <summary>Client backends as a percentage of usable slots (the runbook's 80 % / 90 %).</summary>
    public double SaturationWarningPercent { get; init; } = 80;

    public double SaturationCriticalPercent { get; init; } = 90;

    /// <summary>Share of a database's or role's CONNECTION LIMIT that warns; reaching the limit is critical.</summary>
    public double LimitWarningPercent { get; init; } = 80;

    public TimeSpan IdleInTransactionWarning { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan IdleInTransactionCritical { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The runbook's step 1: idle longer than this is stale.</summary>
    public TimeSpan HoardingIdleFor { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>An application holding at least this many stale idle connections is a leak suspect …</summary>
    public int HoardingMinSessions { get; init; } = 5;

    /// <summary>… or at least this share of usable slots (whichever is smaller).</summary>
    public double HoardingMinPercentOfUsable { get; init; } = 20;

    public TimeSpan LongQueryWarning { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan LongQueryCritical { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A lock waiter waiting this long makes a blocking chain a warning …</summary>
    public TimeSpan BlockingWarning { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>… and this long a critical one.</summary>
    public TimeSpan BlockingCritical { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The value suggested for <c>idle_in_transaction_session_timeout</c> when it is off.</summary>
    public TimeSpan SuggestedIdleInTransactionTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        ThresholdRules.Percent(errors, "the saturation warning threshold", SaturationWarningPercent);
        ThresholdRules.Percent(errors, "the saturation critical threshold", SaturationCriticalPercent);
        if (errors.Count == 0)
        {
            ThresholdRules.Ordered(errors, "saturation", SaturationWarningPercent, SaturationCriticalPercent, rising: true, v => $"{ThresholdRules.Show(v)} %");
        }

        ThresholdRules.Percent(errors, "the connection-limit warning threshold", LimitWarningPercent);
        ThresholdRules.Percent(errors, "the hoarding share of usable slots", HoardingMinPercentOfUsable);
        CheckPair(errors, "idle-in-transaction", IdleInTransactionWarning, IdleInTransactionCritical);
        CheckPair(errors, "long-query", LongQueryWarning, LongQueryCritical);
        CheckPair(errors, "blocking", BlockingWarning, BlockingCritical);
        ThresholdRules.Duration(errors, "the hoarding idle time", HoardingIdleFor);
        ThresholdRules.Duration(errors, "the suggested idle_in_transaction_session_timeout", SuggestedIdleInTransactionTimeout);
        ThresholdRules.Count(errors, "the hoarding minimum of sessions", HoardingMinSessions);
        return errors;
    }

    private static void CheckPair(List<string> errors, string name, TimeSpan warning, TimeSpan critical)
    {
        var before = errors.Count;
        ThresholdRules.Duration(errors, $"the {name} warning threshold", warning);
        ThresholdRules.Duration(errors, $"the {name} critical threshold", critical);
        if (errors.Count == before)
        {
            ThresholdRules.Ordered(errors, name, warning, critical, rising: true, Duration.Format);
        }
    }
}
