using System.Globalization;
using System.Text;

namespace PgMedic.Core.SessionHistory;

/// <summary>
/// A query with its constants replaced, and a 64-bit hash of that text: the same statement with other
/// values has the same fingerprint. Computed on the query text PgMedic already collected (and scrubbed of
/// secrets), so no server extension is needed. String, dollar-quoted and numeric constants and bind
/// parameters become <c>?</c>, a list of them one <c>?</c> (<c>IN (1, 2, 3)</c> → <c>IN (?)</c>, many
/// <c>VALUES</c> rows one), comments are dropped and white space is one space. Keywords keep their case.
/// </summary>
public static class QueryFingerprint
{
    public static string Normalize(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var text = new StringBuilder(query.Length);
        var i = 0;
        var space = false;
        while (i < query.Length)
        {
            var c = query[i];
            if (char.IsWhiteSpace(c))
            {
                space = text.Length > 0;
                i++;
                continue;
            }

            if (c == '-' && Next(query, i) == '-')
            {
                while (i < query.Length && query[i] != '\n')
                {
                    i++;
                }

                space = text.Length > 0;
                continue;
            }

            if (c == '/' && Next(query, i) == '*')
            {
                var end = query.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? query.Length : end + 2;
                space = text.Length > 0;
                continue;
            }

            if (space)
            {
                text.Append(' ');
                space = false;
            }

            if (c == '\'' || ((c is 'E' or 'e' or 'B' or 'b' or 'X' or 'x' or 'N' or 'n') && Next(query, i) == '\'' && !IsWordChar(Previous(query, i))))
            {
                i = SkipString(query, c == '\'' ? i : i + 1);
                Constant(text);
                continue;
            }

            if (c == '$' && DollarTag(query, i) is { } tag)
            {
                var end = query.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                i = end < 0 ? query.Length : end + tag.Length;
                Constant(text);
                continue;
            }

            if (c == '$' && char.IsAsciiDigit(Next(query, i)))
            {
                i++;
                while (i < query.Length && char.IsAsciiDigit(query[i]))
                {
                    i++;
                }

                Constant(text);
                continue;
            }

            if ((char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(Next(query, i)))) && !IsWordChar(Previous(query, i)))
            {
                i = SkipNumber(query, i);
                Constant(text);
                continue;
            }

            if (c == '"')
            {
                var end = query.IndexOf('"', i + 1);
                end = end < 0 ? query.Length - 1 : end;
                text.Append(query, i, end - i + 1);
                i = end + 1;
                continue;
            }

            if (c == ')')
            {
                text.Append(')');
                i++;
                CollapseRows(text);
                continue;
            }

            text.Append(c);
            i++;
        }

        return text.ToString();
    }

    /// <summary>FNV-1a over the normalised text's UTF-16 code units: stable across processes and versions.</summary>
    public static long Of(string query) => Hash(Normalize(query));

    public static long Hash(string normalized)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        var hash = 14695981039346656037UL;
        foreach (var c in normalized)
        {
            hash = (hash ^ (byte)c) * 1099511628211UL;
            hash = (hash ^ (byte)(c >> 8)) * 1099511628211UL;
        }

        return unchecked((long)hash);
    }

    /// <summary>As shown to people and in JSON: 16 hexadecimal digits.</summary>
    public static string Format(long fingerprint) => unchecked((ulong)fingerprint).ToString("x16", CultureInfo.InvariantCulture);

    public static bool TryParse(string? text, out long fingerprint)
    {
        var ok = ulong.TryParse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value);
        fingerprint = unchecked((long)value);
        return ok && text!.Length <= 16;
    }

    /// <summary>Appends <c>?</c>, folding <c>?, ?</c> into one.</summary>
    private static void Constant(StringBuilder text)
    {
        // "?, " or "?," before this constant: the list already has its one placeholder.
        var length = text.Length;
        var j = length - 1;
        while (j >= 0 && text[j] == ' ')
        {
            j--;
        }

        if (j >= 0 && text[j] == ',')
        {
            var k = j - 1;
            while (k >= 0 && text[k] == ' ')
            {
                k--;
            }

            if (k >= 0 && text[k] == '?')
            {
                text.Length = k + 1;
                return;
            }
        }

        text.Append('?');
    }

    /// <summary>After a closing parenthesis: <c>(?), (?)</c> (VALUES rows of constants) fold into one.</summary>
    private static void CollapseRows(StringBuilder text)
    {
        var s = text.ToString(Math.Max(0, text.Length - 12), Math.Min(12, text.Length));
        if (s.EndsWith("(?), (?)", StringComparison.Ordinal) || s.EndsWith("(?),(?)", StringComparison.Ordinal))
        {
            text.Length -= s.EndsWith("(?), (?)", StringComparison.Ordinal) ? 5 : 4;
        }
    }

    private static int SkipString(string query, int quote)
    {
        var i = quote + 1;
        while (i < query.Length)
        {
            if (query[i] == '\'' && Next(query, i) == '\'')
            {
                i += 2;
                continue;
            }

            if (query[i] == '\\' && i + 1 < query.Length)
            {
                // E'' strings escape with a backslash; in standard strings a backslash before a quote ends nothing anyway.
                i += query[i + 1] == '\'' && (quote > 0 && query[quote - 1] is 'E' or 'e') ? 2 : 1;
                continue;
            }

            if (query[i] == '\'')
            {
                return i + 1;
            }

            i++;
        }

        return i;
    }

    private static int SkipNumber(string query, int i)
    {
        if (query[i] == '0' && Next(query, i) is 'x' or 'X' or 'o' or 'O' or 'b' or 'B')
        {
            i += 2;
            while (i < query.Length && (char.IsAsciiHexDigit(query[i]) || query[i] == '_'))
            {
                i++;
            }

            return i;
        }

        while (i < query.Length && (char.IsAsciiDigit(query[i]) || query[i] is '.' or '_'))
        {
            i++;
        }

        if (i < query.Length && query[i] is 'e' or 'E' && (char.IsAsciiDigit(Next(query, i)) || (Next(query, i) is '+' or '-' && i + 2 < query.Length && char.IsAsciiDigit(query[i + 2]))))
        {
            i += 2;
            while (i < query.Length && char.IsAsciiDigit(query[i]))
            {
                i++;
            }
        }

        return i;
    }

    /// <summary><c>$$</c> or <c>$tag$</c> at <paramref name="i"/>, or null.</summary>
    private static string? DollarTag(string query, int i)
    {
        if (IsWordChar(Previous(query, i)))
        {
            return null;
        }

        var j = i + 1;
        while (j < query.Length && (char.IsAsciiLetterOrDigit(query[j]) || query[j] == '_'))
        {
            if (j == i + 1 && char.IsAsciiDigit(query[j]))
            {
                return null;
            }

            j++;
        }

        return j < query.Length && query[j] == '$' ? query[i..(j + 1)] : null;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '$';

    private static char Next(string s, int i) => i + 1 < s.Length ? s[i + 1] : '\0';

    private static char Previous(string s, int i) => i > 0 ? s[i - 1] : '\0';
}
