using System.Buffers;
using System.Diagnostics;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Secrets;

namespace PgMedic.Core.Logs;

/// <summary>
/// Streams log text line by line and counts connection trouble: PostgreSQL's stderr, csvlog and jsonlog
/// output, application drivers and pools, PgBouncer. Memory stays constant whatever the input size:
/// a line is looked at once and dropped; only counts, per-minute buckets and a few samples are kept.
/// One multi-string vectorised search per line finds every kind at once.
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
    private readonly (string Needle, int Kind)[] _needleKinds;
    private readonly KindState[] _state;
    private readonly Dictionary<long, long[]> _minutes = [];
    private readonly List<string> _sources = [];
    private readonly string?[] _context = new string?[ContextLines];
    private readonly int _syslogYear;
    private readonly Stopwatch _stopwatch = new();
    private int _contextNext;
    private long _lines;
    private long _bytes;
    private long _untimed;

    public LogAnalyzer(TimeProvider time, IReadOnlyList<LogKind>? kinds = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _kinds = kinds ?? LogKinds.All;
        _needleKinds = _kinds.SelectMany((k, i) => k.Needles.Select(n => (n, i))).ToArray();
        _needles = SearchValues.Create(_needleKinds.Select(x => x.Needle).ToArray(), StringComparison.OrdinalIgnoreCase);
        _state = _kinds.Select(_ => new KindState()).ToArray();
        _syslogYear = time.GetUtcNow().Year;
    }

    /// <summary>Reads <paramref name="reader"/> to its end.</summary>
    /// <param name="source">The file name (or "stdin") for the report.</param>
    public async Task AddAsync(TextReader reader, string source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _sources.Add(source);
        Array.Clear(_context);
        _stopwatch.Start();
        try
        {
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                AddLine(line);
            }
        }
        finally
        {
            _stopwatch.Stop();
        }
    }

    /// <summary>Looks at one line.</summary>
    public void AddLine(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        _lines++;
        _bytes += line.Length + 1;
        var span = line.AsSpan();
        var at = span.IndexOfAny(_needles);
        if (at >= 0)
        {
            Match(line, at);
        }

        _context[_contextNext] = line;
        _contextNext = (_contextNext + 1) % ContextLines;
    }

    public LogReport Report()
    {
        var kinds = _kinds.Select((k, i) => (Kind: k, State: _state[i]))
            .Where(x => x.State.Count > 0)
            .OrderByDescending(x => x.State.Count)
            .Select(x => new LogKindSummary(x.Kind.Code, x.Kind.Title, x.Kind.Source, x.Kind.Severity, x.State.Count, x.State.First, x.State.Last, x.Kind.RunbookStep, x.Kind.Advice, x.State.Samples))
            .ToList();
        var minutes = _minutes.OrderBy(kv => kv.Key)
            .Select(kv => new LogMinute(
                new DateTimeOffset(kv.Key, TimeSpan.Zero),
                kv.Value.Sum(),
                _kinds.Select((k, i) => (k.Code, Count: kv.Value[i])).Where(x => x.Count > 0).ToDictionary(x => x.Code, x => x.Count)))
            .ToList();
        var worst = kinds.Select(k => (Severity?)k.Severity).DefaultIfEmpty(null).Max();
        var status = worst switch
        {
            Severity.Critical => DiagnosisStatus.Critical,
            Severity.Warning => DiagnosisStatus.Warning,
            _ => DiagnosisStatus.Ok,
        };
        return new LogReport(
            status,
            _sources.ToList(),
            _lines,
            _bytes,
            kinds.Sum(k => k.Count),
            _untimed,
            kinds.Min(k => k.FirstSeen),
            kinds.Max(k => k.LastSeen),
            kinds,
            minutes,
            Math.Round(_stopwatch.Elapsed.TotalSeconds, 3));
    }

    private void Match(string line, int at)
    {
        var span = line.AsSpan();
        var kind = -1;
        foreach (var (needle, index) in _needleKinds)
        {
            if (span[at..].StartsWith(needle, StringComparison.OrdinalIgnoreCase))
            {
                kind = index;
                break;
            }
        }

        if (kind < 0 || IsExcluded(line, _kinds[kind]))
        {
            return;
        }

        var state = _state[kind];
        state.Count++;
        if (state.Samples.Count < SamplesPerKind)
        {
            var masked = SecretText.Scrub(line);
            state.Samples.Add(masked.Length <= MaxSampleLength ? masked : masked[..(MaxSampleLength - 1)] + "…");
        }

        if (!TimeOf(line, out var time))
        {
            _untimed++;
            return;
        }

        state.First = state.First is { } f && f <= time ? f : time;
        state.Last = state.Last is { } l && l >= time ? l : time;
        var minute = time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMinute);
        if (!_minutes.TryGetValue(minute, out var counts))
        {
            _minutes[minute] = counts = new long[_kinds.Count];
        }

        counts[kind]++;
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

        public List<string> Samples { get; } = [];
    }
}
