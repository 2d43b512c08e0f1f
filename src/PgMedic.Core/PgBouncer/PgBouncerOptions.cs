using PgMedic.Core.Common;

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
        ThresholdRules.Count(errors, "the waiting-clients warning threshold", WaitingWarning);
        ThresholdRules.Count(errors, "the waiting-clients critical threshold", WaitingCritical);
        ThresholdRules.Ordered(errors, "waiting-clients", WaitingWarning, WaitingCritical, rising: true, v => v.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var before = errors.Count;
        ThresholdRules.Duration(errors, "the max-wait warning threshold", MaxWaitWarning);
        ThresholdRules.Duration(errors, "the max-wait critical threshold", MaxWaitCritical);
        if (errors.Count == before)
        {
            ThresholdRules.Ordered(errors, "max-wait", MaxWaitWarning, MaxWaitCritical, rising: true, Duration.Format);
        }

        ThresholdRules.Percent(errors, "the max_client_conn warning percentage", MaxClientConnWarningPercent);
        ThresholdRules.Duration(errors, "the idle-in-transaction threshold", IdleInTransactionWarning);
        return errors;
    }
}
