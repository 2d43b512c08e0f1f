using System.Globalization;
using System.Text;

namespace PgMedic.Cli.Top;

/// <summary>
/// Text measured in terminal cells, so a line never runs past the screen's edge and wraps: control
/// characters become spaces, East Asian wide characters and emoji count two cells, combining marks none.
/// </summary>
internal static class CellText
{
    public static int Width(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var width = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            width += Of(rune);
        }

        return width;
    }

    /// <summary>
    /// Appends <paramref name="text"/> to <paramref name="into"/> in exactly <paramref name="width"/> cells: cut
    /// with an ellipsis when longer, padded with spaces (left or right) when shorter.
    /// </summary>
    public static void Fit(StringBuilder into, string? text, int width, bool rightAligned = false)
    {
        ArgumentNullException.ThrowIfNull(into);
        if (width <= 0)
        {
            return;
        }

        text ??= string.Empty;
        var natural = Width(text);
        if (natural <= width)
        {
            if (rightAligned)
            {
                into.Append(' ', width - natural);
            }

            AppendClean(into, text);
            if (!rightAligned)
            {
                into.Append(' ', width - natural);
            }

            return;
        }

        // Cut to width - 1 cells, then the ellipsis; a wide character that does not fit leaves a space.
        var used = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            var cells = Of(rune);
            if (used + cells > width - 1)
            {
                break;
            }

            Append(into, rune);
            used += cells;
        }

        into.Append(' ', width - 1 - used).Append('…');
    }

    /// <summary>The text cut to <paramref name="width"/> cells with an ellipsis (not padded).</summary>
    public static string Clip(string text, int width)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Width(text) <= width)
        {
            return Clean(text);
        }

        var builder = new StringBuilder(width + 1);
        Fit(builder, text, width);
        return builder.ToString().TrimEnd(' ');
    }

    /// <summary>Control characters (tabs, newlines, escapes a query may hold) as spaces.</summary>
    public static string Clean(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                var builder = new StringBuilder(text.Length);
                AppendClean(builder, text);
                return builder.ToString();
            }
        }

        return text;
    }

    private static void AppendClean(StringBuilder into, string text)
    {
        foreach (var c in text)
        {
            into.Append(char.IsControl(c) ? ' ' : c);
        }
    }

    private static void Append(StringBuilder into, Rune rune)
    {
        if (Rune.IsControl(rune))
        {
            into.Append(' ');
            return;
        }

        Span<char> chars = stackalloc char[2];
        into.Append(chars[..rune.EncodeToUtf16(chars)]);
    }

    private static int Of(Rune rune)
    {
        if (Rune.IsControl(rune))
        {
            return 1;
        }

        var category = Rune.GetUnicodeCategory(rune);
        if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format)
        {
            return 0;
        }

        var v = rune.Value;
        return v is (>= 0x1100 and <= 0x115F) or (>= 0x2E80 and <= 0xA4CF) or (>= 0xAC00 and <= 0xD7A3)
            or (>= 0xF900 and <= 0xFAFF) or (>= 0xFE30 and <= 0xFE4F) or (>= 0xFF00 and <= 0xFF60)
            or (>= 0xFFE0 and <= 0xFFE6) or (>= 0x1F300 and <= 0x1FAFF) or (>= 0x20000 and <= 0x3FFFD)
            ? 2
            : 1;
    }
}
