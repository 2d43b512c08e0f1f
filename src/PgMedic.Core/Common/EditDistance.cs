namespace PgMedic.Core.Common;

/// <summary>
/// "Did you mean" for every name a user types: options, commands, config keys, hooks-file keys. One
/// measure everywhere, so a slip is suggested the same way wherever it is made.
/// </summary>
public static class EditDistance
{
    /// <summary>Levenshtein distance with adjacent transpositions (what a typing slip usually is), ignoring case.</summary>
    public static int Between(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = Same(a[i - 1], b[j - 1]) ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && Same(a[i - 1], b[j - 2]) && Same(a[i - 2], b[j - 1]))
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    /// <summary>The known name closest to <paramref name="typed"/> within <paramref name="maxDistance"/> edits, or null.</summary>
    public static string? Nearest(string typed, IEnumerable<string> known, int maxDistance) =>
        known.Select(k => (Name: k, Distance: Between(typed, k)))
            .Where(k => k.Distance <= maxDistance)
            .OrderBy(k => k.Distance)
            .Select(k => k.Name)
            .FirstOrDefault();

    private static bool Same(char a, char b) => char.ToLowerInvariant(a) == char.ToLowerInvariant(b);
}
