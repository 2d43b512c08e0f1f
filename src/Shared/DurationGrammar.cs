using System.Globalization;
using System.Text;

namespace PgMedic.Shared;

/// <summary>
/// The one duration grammar, compiled into both PgMedic.Core (the CLI, the monitor's config) and
/// PgMedic.Guard (the runbook's DATABASE_* variables), which ships without PgMedic's own projects:
/// <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h30m</c>, <c>7d</c>; a bare number is seconds; each unit once,
/// largest first. Values beyond
/// what a <see cref="TimeSpan"/> holds are refused, never thrown.
/// </summary>
internal static class DurationGrammar
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.Trim().AsSpan();
        if (double.TryParse(span, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var bareSeconds))
        {
            return TrySeconds(bareSeconds, out value);
        }

        var total = TimeSpan.Zero;
        var lastScale = double.MaxValue;
        while (!span.IsEmpty)
        {
            var numberLength = 0;
            while (numberLength < span.Length && (char.IsAsciiDigit(span[numberLength]) || span[numberLength] == '.'))
            {
                numberLength++;
            }

            var unitLength = 0;
            while (numberLength + unitLength < span.Length && char.IsAsciiLetter(span[numberLength + unitLength]))
            {
                unitLength++;
            }

            if (numberLength == 0 || unitLength == 0
                || !double.TryParse(span[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                return false;
            }

            double? scale = span.Slice(numberLength, unitLength).ToString().ToLowerInvariant() switch
            {
                "ms" => 0.001,
                "s" or "sec" or "secs" => 1,
                "m" or "min" or "mins" => 60,
                "h" or "hr" or "hrs" => 3600,
                "d" => 86400,
                _ => null,
            };
            // Each unit once, largest first (1h30m, not 30m1h or 5s5s): anything else is a typo, not a sum.
            if (scale is null || scale.Value >= lastScale || !TrySeconds(amount * scale.Value, out var part) || part > MaxValue - total)
            {
                return false;
            }

            lastScale = scale.Value;

            total += part;
            span = span[(numberLength + unitLength)..];
        }

        value = total;
        return true;
    }

    /// <summary>Short human form: <c>450ms</c>, <c>12s</c>, <c>5m</c>, <c>1h30m</c>, <c>2d3h</c>.</summary>
    public static string Format(TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            return "-" + Format(-value);
        }

        if (value < TimeSpan.FromSeconds(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:0}ms");
        }

        if (value < TimeSpan.FromMinutes(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds:0.#}s");
        }

        var text = new StringBuilder();
        if (value.Days > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{value.Days}d");
        }

        if (value.Hours > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{value.Hours}h");
        }

        if (value.Minutes > 0 && value.Days == 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{value.Minutes}m");
        }

        if (value.Seconds > 0 && value.TotalHours < 1)
        {
            text.Append(CultureInfo.InvariantCulture, $"{value.Seconds}s");
        }

        return text.ToString();
    }

    /// <summary>The longest duration accepted: a century, far past any timeout and far from overflow.</summary>
    public static readonly TimeSpan MaxValue = TimeSpan.FromDays(36525);

    private static bool TrySeconds(double seconds, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (double.IsNaN(seconds) || seconds < 0 || seconds > MaxValue.TotalSeconds)
        {
            return false;
        }

        value = TimeSpan.FromSeconds(seconds);
        return true;
    }
}
