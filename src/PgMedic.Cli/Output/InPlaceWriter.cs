using System.Text;

namespace PgMedic.Cli.Output;

/// <summary>
/// Draws a frame of lines over the previous one on a terminal: the cursor goes back up to the frame's
/// first line, each line is rewritten and the rest of the old frame erased, so a live view stays in place
/// instead of scrolling. Lines are cut to the width (a wrapped line would throw the count off) and the
/// frame to the height (a frame taller than the screen could not be reached again).
/// </summary>
internal sealed class InPlaceWriter(TextWriter output)
{
    private const string Escape = "\u001b[";

    private int _drawn;

    /// <summary>Lines the last frame took on the screen.</summary>
    public int Drawn => _drawn;

    public void Draw(IReadOnlyList<string> lines, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var rows = lines.Take(Math.Max(1, height - 1)).Select(line => FittedTable.Cut(Printable(line), Math.Max(1, width - 1))).ToList();
        var frame = new StringBuilder(ReturnToTop());
        foreach (var row in rows)
        {
            // Erase to the end of the line: what the previous frame had there may be longer.
            frame.Append(row).Append(Escape).Append("K\n");
        }

        // Erase below: a shorter frame leaves nothing of the longer one.
        frame.Append(Escape).Append('J');
        output.Write(frame.ToString());
        output.Flush();
        _drawn = rows.Count;
    }

    /// <summary>Takes the frame off the screen, leaving the cursor where it began.</summary>
    public void Erase()
    {
        if (_drawn == 0)
        {
            return;
        }

        output.Write(ReturnToTop() + Escape + "J");
        output.Flush();
        _drawn = 0;
    }

    /// <summary>Text from a log line made safe to draw: control characters (a colour escape, a tab) would move the cursor.</summary>
    public static string Printable(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return string.Create(text.Length, text, (chars, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                chars[i] = char.IsControl(source[i]) ? ' ' : source[i];
            }
        });
    }

    private string ReturnToTop() => _drawn > 0 ? $"\r{Escape}{_drawn}A" : "\r";
}
