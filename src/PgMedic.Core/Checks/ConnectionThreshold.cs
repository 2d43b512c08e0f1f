using System.Globalization;

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
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value < 0
            || (kind == ConnectionThresholdKind.PercentOfUsable && value > 1000))
        {
            error = $"connections threshold '{text}' is not N (connections), N% (of usable slots) or -N (slots left), e.g. 80% or -5";
            return false;
        }

        threshold = new ConnectionThreshold(kind, value);
        return true;
    }

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
