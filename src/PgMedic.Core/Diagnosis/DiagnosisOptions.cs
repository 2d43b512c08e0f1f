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
        CheckPercent(errors, nameof(SaturationWarningPercent), SaturationWarningPercent);
        CheckPercent(errors, nameof(SaturationCriticalPercent), SaturationCriticalPercent);
        CheckPercent(errors, nameof(LimitWarningPercent), LimitWarningPercent);
        CheckPercent(errors, nameof(HoardingMinPercentOfUsable), HoardingMinPercentOfUsable);
        if (SaturationCriticalPercent < SaturationWarningPercent)
        {
            errors.Add($"the critical saturation threshold ({SaturationCriticalPercent} %) is below the warning one ({SaturationWarningPercent} %)");
        }

        CheckPair(errors, "idle-in-transaction", IdleInTransactionWarning, IdleInTransactionCritical);
        CheckPair(errors, "long-query", LongQueryWarning, LongQueryCritical);
        CheckPair(errors, "blocking", BlockingWarning, BlockingCritical);
        if (HoardingIdleFor <= TimeSpan.Zero)
        {
            errors.Add("the hoarding idle time must be positive");
        }

        if (HoardingMinSessions < 1)
        {
            errors.Add($"the hoarding minimum must be at least 1 session (was {HoardingMinSessions})");
        }

        return errors;
    }

    private static void CheckPercent(List<string> errors, string name, double value)
    {
        if (value is <= 0 or > 1000 || double.IsNaN(value))
        {
            errors.Add($"{name} must be a percentage above 0 (was {value})");
        }
    }

    private static void CheckPair(List<string> errors, string name, TimeSpan warning, TimeSpan critical)
    {
        if (warning <= TimeSpan.Zero || critical <= TimeSpan.Zero)
        {
            errors.Add($"the {name} thresholds must be positive");
        }
        else if (critical < warning)
        {
            errors.Add($"the {name} critical threshold ({critical}) is below the warning one ({warning})");
        }
    }
}
