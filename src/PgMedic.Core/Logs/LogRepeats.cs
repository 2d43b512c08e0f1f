namespace PgMedic.Core.Logs;

/// <summary>
/// Tells when a matched line is one more line of trouble already counted, so that one failed request is
/// one hit however its error is printed. Python prints a wrapped error twice: the driver's exception,
/// then "The above exception was the direct cause of the following exception:" and SQLAlchemy's
/// wrapper with the same message; <c>logger.exception</c> prints the message, then the traceback that
/// ends in the same exception; libpq appends "server closed the connection unexpectedly" to the server's
/// FATAL; SQLAlchemy ends its message with a "Background on this error" link. Works on line numbers
/// alone: it keeps a few numbers, whatever the input size.
/// </summary>
internal sealed class LogRepeats
{
    /// <summary>A chain marker this many lines after counted trouble follows that trouble's exception.</summary>
    public const int ChainLead = 8;

    /// <summary>The next hit of the same kind this many lines after a marker is the marker's exception.</summary>
    public const int MarkerReach = 400;

    /// <summary>A tail this many lines after counted trouble ends that trouble's message (SQL text and parameters come between).</summary>
    public const int TailReach = 200;

    /// <summary>libpq's appended line comes right after the FATAL it follows.</summary>
    public const int ContinuationReach = 2;

    /// <summary>
    /// Lines that start a traceback or link two exceptions: the first follows a logged message, the others
    /// chain two exceptions. Recognised at the start of a line only (as Python prints them, and as
    /// <c>railway logs</c> or <c>docker logs</c> pass them on), not searched for in every line: each text
    /// searched for costs every line of the input.
    /// </summary>
    public static IReadOnlyList<(string Text, bool Chain)> Markers { get; } =
    [
        ("Traceback (most recent call last):", false),
        ("The above exception was the direct cause of the following exception:", true),
        ("During handling of the above exception, another exception occurred:", true),
    ];

    /// <summary>Whether <paramref name="line"/> is a marker, and of which sort (true: a chain); null when it is none.</summary>
    public static bool? MarkerAt(ReadOnlySpan<char> line)
    {
        if (line.IsEmpty || (line[0] != 'T' && line[0] != 'D'))
        {
            return null;
        }

        foreach (var (text, chain) in Markers)
        {
            if (line.StartsWith(text, StringComparison.Ordinal))
            {
                return chain;
            }
        }

        return null;
    }

    private int _lastKind = -1;
    private long _lastLine;
    private int _expectedKind = -1;
    private long _expectedUntil;

    public void Reset()
    {
        _lastKind = -1;
        _expectedKind = -1;
    }

    /// <summary>
    /// A marker at <paramref name="line"/>. <paramref name="sameRecord"/> says whether the lines since the
    /// last trouble belong to its log record (asked only for a traceback marker, which follows a logged
    /// message: a line with a time of its own between them starts another record).
    /// </summary>
    public void Marker(bool chain, long line, Func<long, bool> sameRecord)
    {
        if (_lastKind < 0 || line - _lastLine > ChainLead || (!chain && !sameRecord(line - _lastLine)))
        {
            return;
        }

        _expectedKind = _lastKind;
        _expectedUntil = line + MarkerReach;
    }

    /// <summary>The kind of the counted trouble that the hit of <paramref name="kind"/> at <paramref name="line"/> repeats, or null when it is new trouble; remembers it either way.</summary>
    /// <param name="tail">The line matched a tail of the kind (the end of a multi-line message).</param>
    /// <param name="continues">The kinds whose message this kind's line may continue.</param>
    public int? RepeatOf(int kind, bool tail, IReadOnlyList<int> continues, long line)
    {
        var recent = _lastKind >= 0 ? line - _lastLine : long.MaxValue;
        bool repeat;
        if (tail)
        {
            repeat = recent <= TailReach;
        }
        else if (_expectedKind == kind && line <= _expectedUntil)
        {
            repeat = true;
        }
        else
        {
            repeat = recent <= ContinuationReach && continues.Contains(_lastKind);
        }

        _expectedKind = -1;
        _lastLine = line;
        if (repeat)
        {
            return _lastKind;
        }

        _lastKind = kind;
        return null;
    }
}
