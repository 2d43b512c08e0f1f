namespace PgMedic.Core.PgBouncer;

/// <summary>Thresholds of the PgBouncer findings and of <c>check pgbouncer-waiting</c>, defaults in one place.</summary>
public sealed record PgBouncerOptions
{
    /// <summary>Waiting clients in all pools together that make the check WARNING …</summary>
    public int WaitingWarning { get; init; } = 1;

    /// <summary>… and CRITICAL.</summary>
    public int WaitingCritical { get; init; } = 10;

    /// <summary>The longest wait (<c>maxwait</c>) that makes it WARNING …</summary>
    public TimeSpan MaxWaitWarning { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>… and CRITICAL.</summary>
    public TimeSpan MaxWaitCritical { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Client connections as a share of <c>max_client_conn</c> that warn; reaching 95 % is critical.</summary>
    public double MaxClientConnWarningPercent { get; init; } = 80;

    /// <summary>A server connection idle inside a transaction this long (in transaction mode) is a finding.</summary>
    public TimeSpan IdleInTransactionWarning { get; init; } = TimeSpan.FromSeconds(30);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (WaitingWarning < 1)
        {
            errors.Add($"the waiting-clients warning threshold must be at least 1 (was {WaitingWarning})");
        }

        if (WaitingCritical < WaitingWarning)
        {
            errors.Add($"the waiting-clients critical threshold ({WaitingCritical}) is below the warning one ({WaitingWarning})");
        }

        if (MaxWaitWarning <= TimeSpan.Zero || MaxWaitCritical <= TimeSpan.Zero)
        {
            errors.Add("the max-wait thresholds must be positive");
        }
        else if (MaxWaitCritical < MaxWaitWarning)
        {
            errors.Add($"the max-wait critical threshold ({MaxWaitCritical}) is below the warning one ({MaxWaitWarning})");
        }

        if (MaxClientConnWarningPercent is <= 0 or > 100 || double.IsNaN(MaxClientConnWarningPercent))
        {
            errors.Add($"the max_client_conn warning percentage must be above 0 and at most 100 (was {MaxClientConnWarningPercent})");
        }

        if (IdleInTransactionWarning <= TimeSpan.Zero)
        {
            errors.Add("the idle-in-transaction threshold must be positive");
        }

        return errors;
    }
}
