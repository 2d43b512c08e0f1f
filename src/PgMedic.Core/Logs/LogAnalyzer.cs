using System.Buffers;
using System.Diagnostics;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Secrets;

namespace PgMedic.Core.Logs;

/// <summary>
/// Streams log text line by line and counts connection trouble: PostgreSQL's stderr, csvlog and jsonlog
/// output, application drivers and pools, PgBouncer. Memory stays constant whatever the input size:
/// a line is looked at once and dropped; only counts, per-minute buckets, a minute of arrival rates and a
/// few samples are kept. One multi-string vectorised search per line finds every kind at once.
/// One thread reads (<see cref="AddAsync"/>, <see cref="AddLine"/>) while others may take
/// <see cref="Report"/> and <see cref="Live"/> at any time: a live view, or the report on Ctrl+C.
/// </summary>
public sealed class LogAnalyzer
{
    public const int SamplesPerKind = 3;
    public const int MaxSampleLength = 300;

    // A line without a time (a csvlog record's continuation, a stack trace) takes the time of the
    // closest line above it among the last few.
    private const int ContextLines = 8;

    private readonly IReadOnlyList<LogKind> _kinds;
    private readonly SearchValues<string> _needles;

    private readonly (string Needle, int Kind, bool Tail)[] _needleKinds;
    private readonly IReadOnlyList<int>[] _continues;
    private readonly KindState[] _state;
    private readonly Dictionary<long, long[]> _minutes = [];
    private readonly List<string> _sources = [];
    private readonly string?[] _context = new string?[ContextLines];
    private readonly LogRepeats _repeats = new();
    private readonly LogRateWindow _rates;
    private readonly TimeProvider _time;
    private readonly int _syslogYear;
    private readonly Stopwatch _stopwatch = new();
    private readonly Lock _gate = new();
    private int _contextNext;
    private long _read;
    private long _readBytes;
    private long _lines;
    private long _bytes;
    private long _untimed;
    private long _hits;
    private (int Kind, string Line, DateTimeOffset Arrived)? _newest;

    public LogAnalyzer(TimeProvider time, IReadOnlyList<LogKind>? kinds = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _kinds = kinds ?? LogKinds.All;
        _needleKinds =
        [
            .. _kinds.SelectMany((k, i) => k.Needles.Select(n => (n, i, false)).Concat((k.Tails ?? []).Select(t => (t, i, true)))),
        ];
        _needles = SearchValues.Create(_needleKinds.Select(x => x.Needle).ToArray(), StringComparison.OrdinalIgnoreCase);
        _continues = _kinds.Select(k => (IReadOnlyList<int>)(k.Continues ?? []).Select(code => _kinds.ToList().FindIndex(x => x.Code == code)).Where(i => i >= 0).ToList()).ToArray();
        _state = _kinds.Select(_ => new KindState()).ToArray();
        _rates = new LogRateWindow(_kinds.Count);
        _syslogYear = time.GetUtcNow().Year;
    }

    /// <summary>Reads <paramref name="reader"/> to its end.</summary>
    /// <param name="source">The file name (or "stdin") for the report.</param>
    public async Task AddAsync(TextReader reader, string source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        lock (_gate)
        {
            _sources.Add(source);
            _stopwatch.Start();
        }

        Array.Clear(_context);
        _repeats.Reset();
        try
        {
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                AddLine(line);
            }
        }
        finally
        {
            lock (_gate)
            {
                _stopwatch.Stop();
            }
        }
    }

    /// <summary>Looks at one line.</summary>
    public void AddLine(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        _read++;
        _readBytes += line.Length + 1;
        var span = line.AsSpan();
        var at = span.IndexOfAny(_needles);
        if (at >= 0)
        {
            Match(line, at);
        }
        else if (LogRepeats.MarkerAt(span) is { } chain)
        {
            _repeats.Marker(chain, _read, OnlyUntimedLinesBack);
        }

        _context[_contextNext] = line;
        _contextNext = (_contextNext + 1) % ContextLines;
        Publish();
    }

    // Other threads read the counts without the lock: plain 64-bit stores, made once the line is looked
    // at (and under the lock with its hit), so a view never shows a line read but not yet counted.
    private void Publish()
    {
        Volatile.Write(ref _lines, _read);
        Volatile.Write(ref _bytes, _readBytes);
    }

    public LogReport Report()
    {
        lock (_gate)
        {
            var kinds = _kinds.Select((k, i) => (Kind: k, State: _state[i]))
                .Where(x => x.State.Count > 0)
                .OrderByDescending(x => x.State.Count)
                .Select(x => new LogKindSummary(x.Kind.Code, x.Kind.Title, x.Kind.Source, x.Kind.Severity, x.State.Count, x.State.First, x.State.Last, x.Kind.RunbookStep, x.Kind.Advice, x.State.Samples.ToList(), LogDrivers.Of(x.State.Drivers)))
                .ToList();
            var minutes = _minutes.OrderBy(kv => kv.Key)
                .Select(kv => new LogMinute(
                    new DateTimeOffset(kv.Key, TimeSpan.Zero),
                    kv.Value.Sum(),
                    _kinds.Select((k, i) => (k.Code, Count: kv.Value[i])).Where(x => x.Count > 0).ToDictionary(x => x.Code, x => x.Count)))
                .ToList();
            return new LogReport(
                StatusOf(kinds.Select(k => k.Severity)),
                _sources.ToList(),
                Volatile.Read(ref _lines),
                Volatile.Read(ref _bytes),
                kinds.Sum(k => k.Count),
                _untimed,
                kinds.Min(k => k.FirstSeen),
                kinds.Max(k => k.LastSeen),
                kinds,
                minutes,
                Math.Round(_stopwatch.Elapsed.TotalSeconds, 3));
        }
    }

    /// <summary>The numbers so far, for a view that follows the input as it grows.</summary>
    public LogLiveSummary Live()
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            var kinds = _kinds.Select((k, i) => (Kind: k, State: _state[i], Index: i))
                .Where(x => x.State.Count > 0)
                .OrderByDescending(x => x.State.Count)
                .Select(x => new LogLiveKind(x.Kind.Code, x.Kind.Severity, x.Kind.RunbookStep, x.State.Count, _rates.LastMinute(x.Index, now), LogDrivers.Of(x.State.Drivers)))
                .ToList();
            var newest = _newest is { } n ? new LogLiveSample(_kinds[n.Kind].Code, Sample(n.Line), n.Arrived) : null;
            return new LogLiveSummary(StatusOf(kinds.Select(k => k.Severity)), _sources.ToList(), Volatile.Read(ref _lines), _hits, kinds, newest, _stopwatch.Elapsed);
        }
    }

    private static DiagnosisStatus StatusOf(IEnumerable<Severity> seen) =>
        seen.Select(s => (Severity?)s).DefaultIfEmpty(null).Max() switch
        {
            Severity.Critical => DiagnosisStatus.Critical,
            Severity.Warning => DiagnosisStatus.Warning,
            _ => DiagnosisStatus.Ok,
        };

    private static string Sample(string line)
    {
        var masked = SecretText.Scrub(line);
        return masked.Length <= MaxSampleLength ? masked : masked[..(MaxSampleLength - 1)] + "…";
    }

    private void Match(string line, int at)
    {
        var span = line.AsSpan();
        var (needle, kind, tail) = EntryAt(span, at);
        if (_kinds[kind].Wrapper && SpecificAfter(span, at + needle.Length) is { } specific)
        {
            (kind, tail) = (specific, false);
        }
        else if (!Qualified(span[(at + needle.Length)..], _kinds[kind]))
        {
            return;
        }

        // A tail after the error on the same line (a one-line JSON record) is that error, not the end of one above.
        tail = tail && !span[..at].Contains("Error", StringComparison.Ordinal);

        if (IsExcluded(line, _kinds[kind]))
        {
            return;
        }

        var drivers = LogDrivers.In(span);
        if (_repeats.RepeatOf(kind, tail, _continues[kind], _read) is { } repeated)
        {
            // Not counted again, but the wrapper that repeated it (SQLAlchemy) saw it too.
            lock (_gate)
            {
                _state[repeated].Drivers |= drivers;
            }

            return;
        }

        var timed = TimeOf(line, out var time);
        var arrived = _time.GetUtcNow();
        lock (_gate)
        {
            Count(kind, line, drivers, timed ? time : null, arrived);
        }
    }

    private void Count(int kind, string line, int drivers, DateTimeOffset? time, DateTimeOffset arrived)
    {
        Publish();
        var state = _state[kind];
        state.Count++;
        state.Drivers |= drivers;
        _hits++;
        _newest = (kind, line, arrived);
        _rates.Add(kind, arrived);
        if (state.Samples.Count < SamplesPerKind)
        {
            state.Samples.Add(Sample(line));
        }

        if (time is not { } t)
        {
            _untimed++;
            return;
        }

        state.First = state.First is { } f && f <= t ? f : t;
        state.Last = state.Last is { } l && l >= t ? l : t;
        var minute = t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerMinute);
        if (!_minutes.TryGetValue(minute, out var counts))
        {
            _minutes[minute] = counts = new long[_kinds.Count];
        }

        counts[kind]++;
    }

    private (string Needle, int Kind, bool Tail) EntryAt(ReadOnlySpan<char> span, int at)
    {
        foreach (var entry in _needleKinds)
        {
            if (span[at..].StartsWith(entry.Needle, StringComparison.OrdinalIgnoreCase))
            {
                return entry;
            }
        }

        // IndexOfAny found a needle here, so one of them starts at it.
        throw new UnreachableException();
    }

    // A wrapper (sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) server closed …) counts as
    // the kind of the message it wraps, when there is one.
    private int? SpecificAfter(ReadOnlySpan<char> span, int from)
    {
        while (from < span.Length)
        {
            var next = span[from..].IndexOfAny(_needles);
            if (next < 0)
            {
                return null;
            }

            var (needle, kind, _) = EntryAt(span, from + next);
            if (!_kinds[kind].Wrapper)
            {
                return kind;
            }

            from += next + needle.Length;
        }

        return null;
    }

    // Whether the lines between the last trouble (this many lines back) and this line have no time of
    // their own: they then continue the trouble's log record instead of starting another.
    private bool OnlyUntimedLinesBack(long distance)
    {
        if (distance > ContextLines)
        {
            return false;
        }

        for (var back = 1; back < distance; back++)
        {
            var previous = _context[(_contextNext - back + ContextLines) % ContextLines];
            if (previous is not null && LogTimestamp.TryParse(previous, _syslogYear, out _))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Qualified(ReadOnlySpan<char> rest, LogKind kind)
    {
        if (kind.Qualifiers is not { } qualifiers)
        {
            return true;
        }

        foreach (var qualifier in qualifiers)
        {
            if (rest.Contains(qualifier, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsExcluded(string line, LogKind kind)
    {
        if (kind.Exclude is not { } excludes)
        {
            return false;
        }

        foreach (var exclude in excludes)
        {
            if (line.Contains(exclude, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private bool TimeOf(string line, out DateTimeOffset time)
    {
        if (LogTimestamp.TryParse(line, _syslogYear, out time))
        {
            return true;
        }

        for (var back = 1; back <= ContextLines; back++)
        {
            var previous = _context[(_contextNext - back + ContextLines) % ContextLines];
            if (previous is null)
            {
                break;
            }

            if (LogTimestamp.TryParse(previous, _syslogYear, out time))
            {
                return true;
            }
        }

        return false;
    }

    private sealed class KindState
    {
        public long Count { get; set; }

        public DateTimeOffset? First { get; set; }

        public DateTimeOffset? Last { get; set; }

        public int Drivers { get; set; }

        public List<string> Samples { get; } = [];
    }
}
