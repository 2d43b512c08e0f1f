using PgMedic.Core.Common;

namespace PgMedic.Core.Diagnosis.Rules;

/// <summary>Formatting shared by the rules' summaries and evidence.</summary>
internal static class Text
{
    public static string Age(TimeSpan? age) => age is { } a ? Duration.Format(a) : "?";

    /// <summary>A timeout setting as PostgreSQL users read it: 0 is "off".</summary>
    public static string Setting(TimeSpan value) => value <= TimeSpan.Zero ? "off" : Duration.Format(value);

    public static string Pids(IEnumerable<int> pids, int max = 10)
    {
        var list = pids.ToList();
        var shown = string.Join(", ", list.Take(max));
        return list.Count > max ? $"{shown} … (+{list.Count - max})" : shown;
    }

    public static string Query(string? query, int max = 80)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            return "(query hidden)";
        }

        var oneLine = string.Join(' ', query.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        return oneLine.Length <= max ? oneLine : oneLine[..(max - 1)] + "…";
    }
}
