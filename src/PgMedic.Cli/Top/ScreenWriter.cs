using System.Text;

namespace PgMedic.Cli.Top;

/// <summary>
/// Draws <see cref="TopScreen"/>s on a terminal in its alternate screen: only the lines that changed since the
/// last frame are written (each cleared to its end), in one write, from buffers kept between frames. A size
/// change redraws everything.
/// </summary>
internal sealed class ScreenWriter(Stream output) : IDisposable
{
    private const string Escape = "\u001b[";

    private readonly StringBuilder _text = new(16 * 1024);
    private byte[] _bytes = new byte[16 * 1024];
    private ScreenLine[] _shown = [];
    private int _width = -1;
    private int _height = -1;

    /// <summary>Bytes written so far (what redrawing only changed lines saves).</summary>
    public long BytesWritten { get; private set; }

    public void Enter() => Write(Escape + "?1049h" + Escape + "?25l" + Escape + "?7l" + Escape + "2J");

    public void Draw(TopScreen screen, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(screen);
        var full = width != _width || height != _height;
        if (full)
        {
            _text.Append(Escape).Append("0m").Append(Escape).Append("2J");
            _shown = new ScreenLine[height];
            _width = width;
            _height = height;
        }

        var lines = screen.Lines;
        for (var row = 0; row < height; row++)
        {
            var line = row < lines.Count ? lines[row] : default;
            if (!full && _shown[row].Style == line.Style && string.Equals(_shown[row].Text, line.Text, StringComparison.Ordinal))
            {
                continue;
            }

            _shown[row] = line;
            _text.Append(Escape).Append(row + 1).Append(";1H").Append(Sgr(line.Style)).Append(line.Text ?? string.Empty).Append(Escape).Append('K').Append(Escape).Append("0m");
        }

        if (_text.Length > 0)
        {
            Flush();
        }
    }

    /// <summary>Forgets what is on screen, so the next frame is drawn whole (after something else wrote to it).</summary>
    public void Invalidate() => _width = -1;

    public void Leave() => Write(Escape + "0m" + Escape + "?7h" + Escape + "?25h" + Escape + "?1049l");

    public void Dispose() => Leave();

    private static string Sgr(LineStyle style) => style switch
    {
        LineStyle.Title => Escape + "1m",
        LineStyle.Heading => Escape + "1;36m",
        LineStyle.Dim => Escape + "2m",
        LineStyle.Cursor => Escape + "7m",
        LineStyle.Tagged => Escape + "1;35m",
        LineStyle.CursorTagged => Escape + "1;7;35m",
        LineStyle.Root => Escape + "1;33m",
        LineStyle.Good => Escape + "32m",
        LineStyle.Warning => Escape + "33m",
        LineStyle.Bad => Escape + "1;31m",
        LineStyle.Dialog => Escape + "1;7;33m",
        _ => string.Empty,
    };

    private void Write(string text)
    {
        _text.Append(text);
        Flush();
    }

    private void Flush()
    {
        var count = Encoding.UTF8.GetMaxByteCount(_text.Length);
        if (_bytes.Length < count)
        {
            _bytes = new byte[Math.Max(count, _bytes.Length * 2)];
        }

        var chunks = 0;
        foreach (var chunk in _text.GetChunks())
        {
            chunks += Encoding.UTF8.GetBytes(chunk.Span, _bytes.AsSpan(chunks));
        }

        output.Write(_bytes, 0, chunks);
        output.Flush();
        BytesWritten += chunks;
        _text.Clear();
    }
}
