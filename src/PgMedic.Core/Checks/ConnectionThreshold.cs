using System.Globalization;
using PgMedic.Core.Common;

namespace PgMedic.Core.Checks;

/// <summary>
/// A connections threshold as check_postgres spells it: <c>N</c> connections, <c>N%</c> of usable slots,
/// or <c>-N</c> slots left. Unlike check_postgres, percentages are of usable slots, not max_connections.
/// </summary>
public sealed record ConnectionThreshold(ConnectionThresholdKind Kind, double Value)
{
    public static bool TryParse(string? text, out ConnectionThreshold? threshold, out string? error)
    {
        threshold = null;
        error = null;
        var t = text?.Trim() ?? string.Empty;
        var kind = t.StartsWith('-') ? ConnectionThresholdKind.SlotsLeft : t.EndsWith('%') ? ConnectionThresholdKind.PercentOfUsable : ConnectionThresholdKind.Count;
        var number = kind switch
        {
            ConnectionThresholdKind.SlotsLeft => t[1..],
            ConnectionThresholdKind.PercentOfUsable => t[..^1],
            _ => t,
        };
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            error = $"connections threshold '{text}' is not N (connections), N% (of usable slots) or -N (slots left), e.g. 80% or -5";
            return false;
        }

        var errors = new List<string>();
        if (kind == ConnectionThresholdKind.PercentOfUsable)
        {
            ThresholdRules.Percent(errors, $"connections threshold '{text}'", value);
        }
        else
        {
            ThresholdRules.Count(errors, $"connections threshold '{text}'", value);
        }

        if (errors.Count > 0)
        {
            error = errors[0];
            return false;
        }

        threshold = new ConnectionThreshold(kind, value);
        return true;
    }

    /// <summary>
    /// Warning before critical, checked before connecting where both are of one kind (<c>-w 90% -c 80%</c>,
    /// <c>-w 20 -c 10</c>, <c>-w -5 -c -10</c>); thresholds of two kinds are compared once the usable slots are known.
    /// </summary>
    public static IReadOnlyList<string> ValidatePair(ConnectionThreshold warning, ConnectionThreshold critical)
    {
        ArgumentNullException.ThrowIfNull(warning);
        ArgumentNullException.ThrowIfNull(critical);
        var errors = new List<string>();
        if (warning.Kind == critical.Kind)
        {
            ThresholdRules.Ordered(errors, "connections", warning.Value, critical.Value, rising: warning.Kind != ConnectionThresholdKind.SlotsLeft, v => warning.Show(v));
        }

        return errors;
    }

    public override string ToString() => Show(Value);

    private string Show(double value) => Kind switch
    {
        ConnectionThresholdKind.PercentOfUsable => $"{ThresholdRules.Show(value)}%",
        ConnectionThresholdKind.SlotsLeft => $"-{ThresholdRules.Show(value)}",
        _ => ThresholdRules.Show(value),
    };

    /// <summary>The threshold as a number of client connections for a server with this many usable slots.</summary>
    public double AsConnections(int usableSlots) => Kind switch
    {
        ConnectionThresholdKind.PercentOfUsable => Math.Round(usableSlots * Value / 100, 1),
        ConnectionThresholdKind.SlotsLeft => usableSlots - Value,
        _ => Value,
    };
}

public enum ConnectionThresholdKind
{
    Count,
    PercentOfUsable,
    SlotsLeft,
}
