using System.Globalization;

namespace PgMedic.Core.Common;

/// <summary>
/// The one rule every threshold follows, on every verb and in the monitor's config: a percentage is of
/// usable slots and lies in (0, 100]; a count is a whole number from 1 to <see cref="MaxCount"/>; a
/// duration is positive and at most <see cref="MaxDuration"/>; and warning comes before critical in the
/// direction of the check. Each method adds its error to a list, so a caller reports every error at once.
/// </summary>
public static class ThresholdRules
{
    /// <summary>PostgreSQL's own ceiling for max_connections: no count of connections or slots can be larger.</summary>
    public const int MaxCount = 262_143;

    /// <summary>A year: longer than any session, query or lock wait a threshold could mean.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(365);

    public static void Percent(List<string> errors, string name, double value)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (!(value > 0 && value <= 100))
        {
            errors.Add($"{name} must be a percentage of usable slots above 0 and at most 100 (was {Show(value)})");
        }
    }

    public static void Count(List<string> errors, string name, double value)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (!(value >= 1 && value <= MaxCount) || value != Math.Floor(value))
        {
            errors.Add($"{name} must be a whole number from 1 to {MaxCount} (was {Show(value)})");
        }
    }

    public static void Duration(List<string> errors, string name, TimeSpan value)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (value <= TimeSpan.Zero || value > MaxDuration)
        {
            errors.Add($"{name} must be a positive duration of at most {Common.Duration.Format(MaxDuration)} (was {Common.Duration.Format(value)})");
        }
    }

    /// <summary>Warning no later than critical: for a rising check critical ≥ warning, for a falling one (slots left) critical ≤ warning.</summary>
    public static void Ordered<T>(List<string> errors, string name, T warning, T critical, bool rising, Func<T, string> show)
        where T : IComparable<T>
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(show);
        var order = critical.CompareTo(warning);
        if (rising ? order < 0 : order > 0)
        {
            errors.Add(rising
                ? $"the {name} critical threshold ({show(critical)}) is below the warning one ({show(warning)}): warning must come first"
                : $"the {name} critical threshold ({show(critical)}) leaves more room than the warning one ({show(warning)}): warning must come first");
        }
    }

    public static string Show(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
