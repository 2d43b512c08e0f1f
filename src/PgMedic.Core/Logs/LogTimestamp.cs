using System.Globalization;

namespace PgMedic.Core.Logs;

/// <summary>
/// Finds the time a log line was written: jsonlog's <c>"timestamp"</c> (and <c>time</c>, <c>@timestamp</c>, <c>ts</c>),
/// ISO 8601 (<c>2026-11-27T14:33:29.123Z</c>, kubectl's nanoseconds), PostgreSQL's <c>2026-11-27 14:33:29.123 UTC</c>
/// (stderr and csvlog), Python's <c>2026-11-27 14:33:29,123</c>, and syslog's <c>Nov 27 14:33:29</c>.
/// A time without a zone, or with a zone name other than UTC/GMT, is read as UTC.
/// </summary>
public static class LogTimestamp
{
    private const int ScanWindow = 80;

    private static readonly string[] JsonKeys = ["\"timestamp\":\"", "\"@timestamp\":\"", "\"time\":\"", "\"ts\":\""];

    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    /// <param name="syslogYear">The year for syslog times, which have none.</param>
    public static bool TryParse(ReadOnlySpan<char> line, int syslogYear, out DateTimeOffset value)
    {
        value = default;
        var trimmed = line.TrimStart();
        if (trimmed.IsEmpty)
        {
            return false;
        }

        if (trimmed[0] == '{')
        {
            foreach (var key in JsonKeys)
            {
                var at = trimmed.IndexOf(key, StringComparison.Ordinal);
                if (at >= 0 && TryIso(trimmed[(at + key.Length)..], out value))
                {
                    return true;
                }
            }
        }

        var window = trimmed[..Math.Min(trimmed.Length, ScanWindow)];
        for (var i = 0; i + 10 <= window.Length; i++)
        {
            if (char.IsAsciiDigit(window[i]) && (i == 0 || !char.IsAsciiDigit(window[i - 1])) && window[i + 4] == '-' && TryIso(trimmed[i..], out value))
            {
                return true;
            }
        }

        return TrySyslog(trimmed, syslogYear, out value);
    }

    private static bool TryIso(ReadOnlySpan<char> s, out DateTimeOffset value)
    {
        value = default;
        // yyyy-MM-dd[T ]HH:mm:ss
        if (s.Length < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
        {
            return false;
        }

        if (!Int(s[..4], out var year) || !Int(s.Slice(5, 2), out var month) || !Int(s.Slice(8, 2), out var day)
            || !Int(s.Slice(11, 2), out var hour) || !Int(s.Slice(14, 2), out var minute) || !Int(s.Slice(17, 2), out var second)
            || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Clamp(year, 1, 9999), month) || hour > 23 || minute > 59 || second > 60)
        {
            return false;
        }

        var pos = 19;
        long ticks = 0;
        if (pos < s.Length && (s[pos] == '.' || s[pos] == ','))
        {
            pos++;
            var digits = 0;
            while (pos < s.Length && char.IsAsciiDigit(s[pos]))
            {
                if (digits < 7)
                {
                    ticks = (ticks * 10) + (s[pos] - '0');
                    digits++;
                }

                pos++;
            }

            for (; digits < 7; digits++)
            {
                ticks *= 10;
            }
        }

        var offset = TimeSpan.Zero;
        if (pos < s.Length)
        {
            var rest = s[pos..];
            if (rest[0] == 'Z')
            {
                offset = TimeSpan.Zero;
            }
            else if (rest[0] is '+' or '-' && rest.Length >= 3 && Int(rest.Slice(1, 2), out var oh))
            {
                var om = 0;
                if (rest.Length >= 6 && rest[3] == ':' && Int(rest.Slice(4, 2), out var m1))
                {
                    om = m1;
                }
                else if (rest.Length >= 5 && Int(rest.Slice(3, 2), out var m2))
                {
                    om = m2;
                }

                offset = new TimeSpan(oh, om, 0) * (rest[0] == '-' ? -1 : 1);
            }
            else if (rest.Length >= 3 && rest[0] == ' ' && (rest[1] is '+' or '-') && Int(rest.Slice(2, 2), out var soh))
            {
                offset = TimeSpan.FromHours(soh) * (rest[1] == '-' ? -1 : 1);
            }
        }

        if (offset.Duration() > TimeSpan.FromHours(14))
        {
            offset = TimeSpan.Zero;
        }

        try
        {
            value = new DateTimeOffset(year, month, day, hour, minute, Math.Min(second, 59), offset).AddTicks(ticks).ToUniversalTime();
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    // "Nov 27 14:33:29" (journalctl, syslog), possibly after a "<13>" priority.
    private static bool TrySyslog(ReadOnlySpan<char> s, int year, out DateTimeOffset value)
    {
        value = default;
        if (s.Length > 0 && s[0] == '<')
        {
            var close = s.IndexOf('>');
            if (close is > 0 and < 5)
            {
                s = s[(close + 1)..];
            }
        }

        if (s.Length < 15 || s[3] != ' ' || s[9] != ':' || s[12] != ':')
        {
            return false;
        }

        var name = s[..3];
        var month = 0;
        for (var i = 0; i < Months.Length; i++)
        {
            if (name.SequenceEqual(Months[i]))
            {
                month = i + 1;
                break;
            }
        }

        var dayText = s.Slice(4, 2).Trim();
        if (month == 0 || !Int(dayText, out var day) || !Int(s.Slice(7, 2), out var hour) || !Int(s.Slice(10, 2), out var minute) || !Int(s.Slice(13, 2), out var second))
        {
            return false;
        }

        try
        {
            value = new DateTimeOffset(year, month, day, hour, minute, Math.Min(second, 59), TimeSpan.Zero);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    private static bool Int(ReadOnlySpan<char> s, out int value) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
