using System.Text;

namespace PgMedic.Cli.Logs;

/// <summary>
/// A file read like <c>tail -f</c>: to its end, then each line as it is appended. A line is handed on only
/// once its newline is written (a half-written line waits for the rest); a file cut shorter (copytruncate
/// rotation) is read again from its start. It ends only when cancelled. Memory is bounded: a "line" that
/// never ends is handed on in pieces of <see cref="LongestLine"/> characters.
/// </summary>
internal sealed class GrowingFileReader(FileStream stream, TimeProvider time) : TextReader
{
    public const int LongestLine = 1 << 20;

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    private readonly Decoder _decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetDecoder();
    private readonly byte[] _bytes = new byte[1 << 16];
    private char[] _chars = new char[1 << 17];
    private int _start;
    private int _end;

    public override async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TakeLine() is { } line)
            {
                return line;
            }

            var read = await stream.ReadAsync(_bytes, cancellationToken).ConfigureAwait(false);
            if (read > 0)
            {
                Append(read);
                continue;
            }

            if (stream.Length < stream.Position)
            {
                stream.Position = 0;
                _decoder.Reset();
                (_start, _end) = (0, 0);
                continue;
            }

            await Task.Delay(Poll, time, cancellationToken).ConfigureAwait(false);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            stream.Dispose();
        }

        base.Dispose(disposing);
    }

    private string? TakeLine()
    {
        var pending = _chars.AsSpan(_start, _end - _start);
        var newline = pending.IndexOf('\n');
        if (newline < 0)
        {
            if (pending.Length < LongestLine)
            {
                return null;
            }

            newline = LongestLine;
            _start += LongestLine;
            return new string(pending[..newline]);
        }

        _start += newline + 1;
        var line = pending[..newline];
        return new string(line.EndsWith('\r') ? line[..^1] : line);
    }

    private void Append(int read)
    {
        var room = _decoder.GetCharCount(_bytes, 0, read, flush: false);
        if (_end + room > _chars.Length)
        {
            var pending = _end - _start;
            if (pending + room > _chars.Length)
            {
                Array.Resize(ref _chars, Math.Max(_chars.Length * 2, pending + room));
            }

            Array.Copy(_chars, _start, _chars, 0, pending);
            (_start, _end) = (0, pending);
        }

        _end += _decoder.GetChars(_bytes, 0, read, _chars, _end, flush: false);
    }
}
