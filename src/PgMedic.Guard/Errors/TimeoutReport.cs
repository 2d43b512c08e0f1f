using System.Globalization;
using System.Text;
using PgMedic.Guard.Holders;
using PgMedic.Guard.Statistics;

namespace PgMedic.Guard.Errors;

/// <summary>The text of a <see cref="PoolTimeoutException"/>: the question no pool answers today.</summary>
internal static class TimeoutReport
{
    public const int HoldersShown = 5;

    public static string Format(TimeSpan timeout, GuardStatistics s, IReadOnlyList<ConnectionHolder> oldest)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"PgMedic.Guard: no connection became free in pool '{s.Name}' within the pool timeout of {timeout.TotalSeconds:0.###} s. ");
        text.Append(CultureInfo.InvariantCulture, $"Pool: size {s.PoolSize}, checked out {s.CheckedOut}, overflow {s.Overflow}/{s.MaxOverflow}, idle {s.Idle}, waiting {s.Waiting}, timeouts {s.Timeouts}, leaks {s.Leaks}.");
        if (oldest.Count == 0)
        {
            text.Append(" No connection is checked out: the slots are being opened; check DATABASE_CONNECT_TIMEOUT and the server.");
            return text.ToString();
        }

        text.Append(CultureInfo.InvariantCulture, $" Oldest holders ({oldest.Count} of {s.CheckedOut}):");
        foreach (var holder in oldest)
        {
            text.Append(CultureInfo.InvariantCulture, $" [#{holder.Id} backend PID {holder.BackendPid}, held {holder.Age.TotalSeconds:0.0} s, by {holder.CallSite}{(holder.Leaked ? ", leak suspected" : string.Empty)}]");
        }

        text.Append(" Fix the holders above, or raise DATABASE_POOL_SIZE / DATABASE_MAX_OVERFLOW / DATABASE_POOL_TIMEOUT.");
        return text.ToString();
    }
}
