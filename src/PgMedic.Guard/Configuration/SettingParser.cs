using System.Globalization;
using PgMedic.Shared;

namespace PgMedic.Guard.Configuration;

internal static class SettingParser
{
    /// <summary>
    /// Plain numbers are seconds, as in the runbook (<c>DATABASE_POOL_TIMEOUT=30</c>); the CLI's
    /// durations (<c>500ms</c>, <c>1h30m</c>, <c>7d</c>, the shared <see cref="DurationGrammar"/>) and
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

        if (DurationGrammar.TryParse(text, out value))
        {
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
