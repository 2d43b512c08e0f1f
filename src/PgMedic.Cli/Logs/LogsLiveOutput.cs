using PgMedic.Cli.Output;
using PgMedic.Core.Logs;

namespace PgMedic.Cli.Logs;

/// <summary>Where <c>logs --follow</c> shows its live summary.</summary>
internal interface ILogsLiveOutput
{
    void Show(LogLiveSummary summary);

    /// <summary>The input ended or Ctrl+C was pressed: the report comes next.</summary>
    void Finish();
}

/// <summary>A terminal: one frame redrawn in place, taken off the screen before the report.</summary>
internal sealed class TerminalLiveOutput(TextWriter output, Func<(int Width, int Height)> size) : ILogsLiveOutput
{
    private readonly InPlaceWriter _writer = new(output);

    public void Show(LogLiveSummary summary)
    {
        var (width, height) = size();
        _writer.Draw(LogsLiveView.Frame(summary, height), width, height);
    }

    public void Finish() => _writer.Erase();
}

/// <summary>
/// A pipe or a file (<c>| tee x</c>): plain lines, printed when trouble arrived since the last ones (at most
/// once a tick) and otherwise every <see cref="Heartbeat"/> while lines are read, so the output is a
/// readable record instead of a flood.
/// </summary>
internal sealed class PipedLiveOutput(TextWriter output, TimeProvider time) : ILogsLiveOutput
{
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(10);

    private long _hits = -1;
    private long _lines;
    private DateTimeOffset _printed;
    private LogLiveSample? _newest;

    public void Show(LogLiveSummary summary)
    {
        var now = time.GetUtcNow();
        var trouble = summary.Hits != _hits && summary.Hits > 0;
        var alive = summary.Lines != _lines && now - _printed >= Heartbeat;
        if (!trouble && !alive)
        {
            return;
        }

        output.WriteLine(LogsLiveView.Summary(summary, now));
        if (summary.Newest is { } newest && newest != _newest)
        {
            output.WriteLine(LogsLiveView.Newest(newest, now));
            _newest = newest;
        }

        output.Flush();
        (_hits, _lines, _printed) = (summary.Hits, summary.Lines, now);
    }

    public void Finish()
    {
        if (_hits >= 0)
        {
            output.WriteLine();
            output.Flush();
        }
    }
}
