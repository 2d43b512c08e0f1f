using System.Globalization;

namespace PgMedic.Guard.Configuration;

internal static class SettingParser
{
    /// <summary>
    /// Plain numbers are seconds, as in the runbook (<c>DATABASE_POOL_TIMEOUT=30</c>); units and
    /// <c>hh:mm:ss</c> are accepted too. With <paramref name="allowOff"/>, <c>-1</c> means off like
    /// SQLAlchemy's <c>pool_recycle=-1</c>, and is read as zero.
    /// </summary>
    public static bool TryParseDuration(string text, bool allowOff, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        text = text.Trim();
        if (allowOff && text == "-1")
        {
            return true;
        }

        var (number, scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (text[..^2], 0.001),
            _ when text.EndsWith('s') || text.EndsWith('S') => (text[..^1], 1.0),
            _ when text.EndsWith('m') || text.EndsWith('M') => (text[..^1], 60.0),
            _ when text.EndsWith('h') || text.EndsWith('H') => (text[..^1], 3600.0),
            _ => (text, 1.0),
        };
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
        {
            if (amount < 0 || double.IsNaN(amount) || amount * scale > TimeSpan.MaxValue.TotalSeconds / 2)
            {
                return false;
            }

            value = TimeSpan.FromSeconds(amount * scale);
            return true;
        }

        return text.Contains(':', StringComparison.Ordinal)
            && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value)
            && value >= TimeSpan.Zero;
    }

    public static bool TryParseBool(string text, out bool value)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "true" or "1" or "yes" or "on":
                value = true;
                return true;
            case "false" or "0" or "no" or "off":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }
}
