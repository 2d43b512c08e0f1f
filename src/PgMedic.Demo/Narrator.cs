using System.Diagnostics;
using System.Globalization;
using PgMedic.Core.Reporting;

namespace PgMedic.Demo;

/// <summary>Prints what happens as it happens, with the time since the demo started, and keeps the alert timeline for the report.</summary>
internal sealed class Narrator(TextWriter output, TimeProvider time)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<TimelineEntry> _timeline = [];
    private readonly Lock _gate = new();

    public TimeSpan Elapsed => _clock.Elapsed;

    public IReadOnlyList<TimelineEntry> Timeline
    {
        get
        {
            lock (_gate)
            {
                return [.. _timeline];
            }
        }
    }

    public void Say(string text)
    {
        lock (_gate)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{_clock.Elapsed:mm\\:ss\\.f}] {text}"));
            output.Flush();
        }
    }

    /// <summary>Says it and records it on the incident timeline (alerts, restarts: what the audit log does not hold).</summary>
    public void Record(string kind, string text)
    {
        lock (_gate)
        {
            _timeline.Add(new TimelineEntry(time.GetUtcNow(), kind, text));
        }

        Say(text);
    }
}
