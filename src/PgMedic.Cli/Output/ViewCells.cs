using System.Globalization;
using PgMedic.Core.Common;

namespace PgMedic.Cli.Output;

/// <summary>Cell text shared by the session views (activity, top, slow-queries).</summary>
internal static class ViewCells
{
    /// <summary>
    /// A query on one line (whitespace collapsed), cut to <paramref name="max"/> characters with an ellipsis;
    /// whole by default (a fitted table clips it to the terminal, piped output keeps it).
    /// </summary>
    public static string Query(string? query, int max = int.MaxValue)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            return "-";
        }

        var oneLine = string.Join(' ', query.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        return oneLine.Length <= max ? oneLine : oneLine[..(max - 1)] + "…";
    }

    public static string Age(TimeSpan? age) => age is { } a ? Duration.Format(a) : "-";

    public static string Age(double? seconds) => seconds is { } s ? Duration.Format(TimeSpan.FromSeconds(s)) : "-";

    public static string Text(string? value) => string.IsNullOrEmpty(value) ? "-" : value;

    /// <summary>A number the source cannot know (a pool without a waiter count) reads unknown, never 0.</summary>
    public static string Known(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "unknown";

    public static string Client(string? address, int? port) =>
        address is null ? "local" : port is { } p && p > 0 ? $"{address}:{p.ToString(CultureInfo.InvariantCulture)}" : address;

    public static string Wait(string? type, string? name) => type is null ? "-" : name is null ? type : $"{type}:{name}";

    public static string Number(double value, string format = "0.##") => value.ToString(format, CultureInfo.InvariantCulture);

    public static string Pids(IEnumerable<int> pids, int max = 8)
    {
        var list = pids.ToList();
        var shown = string.Join(", ", list.Take(max).Select(p => p.ToString(CultureInfo.InvariantCulture)));
        return list.Count > max ? $"{shown} … (+{list.Count - max})" : shown;
    }

    /// <summary>Escapes the pipe so a value stays in its Markdown table cell.</summary>
    public static string Markdown(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
