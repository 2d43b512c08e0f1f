using System.Globalization;
using System.Text;
using PgMedic.Core.Common;

namespace PgMedic.Core.PgBouncer;

/// <summary>One Nagios performance value: <c>'label'=value[unit];warn;crit;min</c>.</summary>
public sealed record PgBouncerPerfDatum(string Label, double Value, string Unit, double? Warning, double? Critical, double? Min)
{
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append('\'').Append(Label.Replace("'", "''", StringComparison.Ordinal)).Append("'=")
            .Append(Number(Value)).Append(Unit)
            .Append(';').Append(Warning is { } w ? Number(w) : string.Empty)
            .Append(';').Append(Critical is { } c ? Number(c) : string.Empty)
            .Append(';').Append(Min is { } m ? Number(m) : string.Empty);
        return text.ToString();
    }

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>A Nagios plugin result: exit status, one line of text and performance data.</summary>
public sealed record PgBouncerCheckResult(ExitCode Status, string Text, IReadOnlyList<PgBouncerPerfDatum> Perfdata)
{
    /// <summary>The plugin's single output line: <c>TEXT | perfdata</c>.</summary>
    public string Line => Perfdata.Count == 0 ? Text : Text + " | " + string.Join(' ', Perfdata);

    public override string ToString() => Line;
}

/// <summary>
/// <c>pgmedic check pgbouncer-waiting</c>: clients queued inside PgBouncer because every server
/// connection of their pool is busy. Counts <c>cl_waiting</c> over all pools and the longest
/// <c>maxwait</c>; the worse of the two decides the status.
/// </summary>
public static class PgBouncerWaiting
{
    public const string Name = "PGBOUNCER-WAITING";

    public static PgBouncerCheckResult Evaluate(IReadOnlyList<PgBouncerPool> pools, PgBouncerOptions thresholds)
    {
        ArgumentNullException.ThrowIfNull(pools);
        ArgumentNullException.ThrowIfNull(thresholds);
        var userPools = pools.Where(p => p.Database != PgBouncerSnapshot.AdminDatabase).ToList();
        var waiting = userPools.Sum(p => p.ClientWaiting);
        var worst = userPools.OrderByDescending(p => p.MaxWait).ThenByDescending(p => p.ClientWaiting).FirstOrDefault();
        var maxWait = worst?.MaxWait ?? TimeSpan.Zero;

        var byCount = waiting >= thresholds.WaitingCritical ? ExitCode.Critical : waiting >= thresholds.WaitingWarning ? ExitCode.Warning : ExitCode.Ok;
        var byWait = maxWait >= thresholds.MaxWaitCritical ? ExitCode.Critical : maxWait >= thresholds.MaxWaitWarning ? ExitCode.Warning : ExitCode.Ok;
        var status = (ExitCode)Math.Max((int)byCount, (int)byWait);

        var waitingPools = userPools.Where(p => p.ClientWaiting > 0).OrderByDescending(p => p.ClientWaiting).ToList();
        var text = waiting == 0 && maxWait == TimeSpan.Zero
            ? $"{Name} OK - no client waiting in {userPools.Count} pool(s)"
            : string.Create(CultureInfo.InvariantCulture, $"{Name} {status.ToString().ToUpperInvariant()} - {waiting} client(s) waiting in {waitingPools.Count} pool(s), longest wait {Duration.Format(maxWait)}")
              + (waitingPools.Count > 0 ? " (" + string.Join(", ", waitingPools.Take(3).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Name} {p.ClientWaiting}"))) + (waitingPools.Count > 3 ? ", …" : string.Empty) + ")" : string.Empty);

        var perfdata = new List<PgBouncerPerfDatum>
        {
            new("cl_waiting", waiting, string.Empty, thresholds.WaitingWarning, thresholds.WaitingCritical, 0),
            new("maxwait", Math.Round(maxWait.TotalSeconds, 3), "s", thresholds.MaxWaitWarning.TotalSeconds, thresholds.MaxWaitCritical.TotalSeconds, 0),
        };
        perfdata.AddRange(userPools.Select(p => new PgBouncerPerfDatum(p.Name + " cl_waiting", p.ClientWaiting, string.Empty, null, null, 0)));
        return new PgBouncerCheckResult(status, text, perfdata);
    }
}
