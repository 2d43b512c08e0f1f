using System.Globalization;
using System.Text.RegularExpressions;

namespace PgMedic.Core.Common;

/// <summary>
/// A moment as people type it: ISO 8601 (<c>2025-07-31T03:12:00Z</c>, <c>2025-07-31 03:12</c> is UTC), or a
/// time of day (<c>03:12</c>, <c>03:12:30</c>) meaning its most recent occurrence — in UTC, or in the zone
/// given after it (<c>03:12+02:00</c>, <c>03:12 Europe/Berlin</c>).
/// </summary>
public static partial class MomentText
{
    /// <returns>Null when the text is a moment; otherwise what is wrong with it, in one line.</returns>
    public static string? TryParse(string? text, DateTimeOffset now, out DateTimeOffset at)
    {
        at = default;
        var value = text?.Trim() ?? string.Empty;
        if (value.Length == 0)
        {
            return "no time given: use ISO 8601 (2025-07-31T03:12:00Z) or a time of day (03:12, 03:12 Europe/Berlin)";
        }

        if (TimeOfDay().Match(value) is { Success: true } match)
        {
            var clock = new TimeSpan(Int(match.Groups["h"]), Int(match.Groups["m"]), match.Groups["s"].Success ? Int(match.Groups["s"]) : 0);
            if (clock >= TimeSpan.FromDays(1) || Int(match.Groups["m"]) > 59 || (match.Groups["s"].Success && Int(match.Groups["s"]) > 59))
            {
                return $"'{value}' is not a time of day: hours 0-23, minutes and seconds 0-59";
            }

            var zone = match.Groups["zone"].Value.Trim();
            if (zone.Length == 0 || zone is "Z" or "UTC" or "z")
            {
                at = MostRecent(now, clock, _ => TimeSpan.Zero);
                return null;
            }

            if (zone[0] is '+' or '-')
            {
                if (!TimeSpan.TryParseExact(zone[1..], ["hh\\:mm", "hhmm", "hh"], CultureInfo.InvariantCulture, out var offset))
                {
                    return $"'{zone}' is not a UTC offset: use e.g. +02:00 or -05:00";
                }

                var signed = zone[0] == '-' ? -offset : offset;
                at = MostRecent(now, clock, _ => signed);
                return null;
            }

            TimeZoneInfo info;
            try
            {
                info = TimeZoneInfo.FindSystemTimeZoneById(zone);
            }
            catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                return $"'{zone}' is not a time zone this machine knows: use an IANA name (Europe/Berlin) or an offset (+02:00)";
            }

            at = MostRecent(now, clock, day => info.GetUtcOffset(day.Add(clock)));
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var parsed))
        {
            at = parsed.ToUniversalTime();
            return null;
        }

        return $"'{value}' is not a time: use ISO 8601 (2025-07-31T03:12:00Z) or a time of day (03:12, 03:12 Europe/Berlin)";
    }

    /// <summary>The latest instant at or before <paramref name="now"/> that reads <paramref name="clock"/> on a wall clock at <paramref name="offset"/>.</summary>
    private static DateTimeOffset MostRecent(DateTimeOffset now, TimeSpan clock, Func<DateTime, TimeSpan> offset)
    {
        var today = now.UtcDateTime.Date;
        for (var days = 1; days >= -2; days--)
        {
            var day = today.AddDays(days);
            var candidate = new DateTimeOffset(DateTime.SpecifyKind(day.Add(clock), DateTimeKind.Unspecified), offset(day)).ToUniversalTime();
            if (candidate <= now)
            {
                return candidate;
            }
        }

        return new DateTimeOffset(DateTime.SpecifyKind(today.AddDays(-3).Add(clock), DateTimeKind.Unspecified), offset(today.AddDays(-3))).ToUniversalTime();
    }

    private static int Int(Group group) => int.Parse(group.Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(?<h>\d{1,2}):(?<m>\d{2})(:(?<s>\d{2}))?(?<zone>\s*(Z|z|UTC|[+-]\d{2}(:?\d{2})?|\s[A-Za-z_]+(/[A-Za-z_+-]+)*))?$")]
    private static partial Regex TimeOfDay();
}
