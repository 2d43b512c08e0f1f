using System.Globalization;
using PgMedic.Cli.Output;
using PgMedic.Core.Logs;

namespace PgMedic.Cli.Logs;

/// <summary>The words of <c>pgmedic logs --follow</c>'s live summary: a frame for a terminal, lines for a pipe.</summary>
internal static class LogsLiveView
{
    /// <summary>The frame redrawn in place on a terminal, longest lines last so a narrow screen cuts the samples first.</summary>
    public static IReadOnlyList<string> Frame(LogLiveSummary summary, int height)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var lines = new List<string> { $"{Header(summary)} · Ctrl+C for the report" };
        if (summary.Kinds.Count == 0)
        {
            lines.Add("no connection trouble yet");
            return lines;
        }

        var codeWidth = Math.Max("kind".Length, summary.Kinds.Max(k => k.Code.Length));
        lines.Add(Invariant($"{"kind".PadRight(codeWidth)}  {"count",8}  {"last min",8}  seen by"));
        // Room for the header, the column titles, a "more" line and the newest sample's two lines.
        var room = Math.Max(1, height - 1 - 5);
        foreach (var kind in summary.Kinds.Take(summary.Kinds.Count > room ? room - 1 : room))
        {
            lines.Add(Invariant($"{kind.Code.PadRight(codeWidth)}  {kind.Count,8:N0}  {kind.LastMinute,8:N0}  {string.Join(", ", kind.Drivers)}").TrimEnd());
        }

        if (summary.Kinds.Count > room)
        {
            lines.Add(Invariant($"… {summary.Kinds.Count - (room - 1)} more kind(s) in the report"));
        }

        if (summary.Newest is { } newest)
        {
            lines.Add(Invariant($"newest ({newest.Code}, read {newest.Arrived:HH:mm:ss} UTC):"));
            lines.Add("  " + newest.Line);
        }

        return lines;
    }

    /// <summary>One line for a pipe: the counts and the last minute's rate of each kind.</summary>
    public static string Summary(LogLiveSummary summary, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var kinds = summary.Kinds.Count == 0
            ? "no connection trouble yet"
            : string.Join(", ", summary.Kinds.Select(k => Invariant($"{k.Code} {k.Count:N0} ({k.LastMinute:N0} in the last minute)")));
        return Invariant($"{now:HH:mm:ss} UTC  {Header(summary)}: {kinds}");
    }

    /// <summary>The newest line of trouble, for a pipe.</summary>
    public static string Newest(LogLiveSample newest, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(newest);
        return Invariant($"{now:HH:mm:ss} UTC  newest {newest.Code}: {InPlaceWriter.Printable(newest.Line)}");
    }

    private static string Header(LogLiveSummary summary) =>
        Invariant($"{summary.Lines:N0} line{(summary.Lines == 1 ? string.Empty : "s")} from {string.Join(", ", summary.Sources)}, {summary.Hits:N0} with connection trouble, {Elapsed(summary.Reading)}");

    private static string Elapsed(TimeSpan reading) =>
        reading.TotalHours >= 1 ? Invariant($"{(int)reading.TotalHours}:{reading:mm\\:ss}") : Invariant($"{reading:m\\:ss}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
