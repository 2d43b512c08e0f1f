using PgMedic.Core.Logs;

namespace PgMedic.Cli.Logs;

/// <summary>Waits for the input to end or for Ctrl+C, showing the live summary meanwhile when following.</summary>
internal static class LogsFollow
{
    /// <summary>How often the summary is looked at: the terminal's frame is redrawn, a pipe gets lines when something changed.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    public static async Task ShowAsync(LogAnalyzer analyzer, Task reading, ILogsLiveOutput output, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Tick, time);
        try
        {
            while (!reading.IsCompleted && !cancellationToken.IsCancellationRequested)
            {
                output.Show(analyzer.Live());
                await Task.WhenAny(timer.WaitForNextTickAsync(cancellationToken).AsTask(), reading);
            }
        }
        finally
        {
            output.Finish();
        }
    }

    /// <summary>Returns when <paramref name="reading"/> ends or <paramref name="cancellationToken"/> is cancelled, whichever is first, without throwing for either.</summary>
    public static async Task UntilDoneAsync(Task reading, CancellationToken cancellationToken)
    {
        var cancelled = new TaskCompletionSource();
        await using (cancellationToken.Register(() => cancelled.TrySetResult()))
        {
            await Task.WhenAny(reading, cancelled.Task);
        }
    }
}
