using Npgsql;
using PgMedic.Core.Activity;
using PgMedic.Core.Snapshots;

namespace PgMedic.Cli.Top;

/// <summary>
/// The refresh loop of <c>pgmedic top</c>: collect, show, wait for the interval while watching the
/// keyboard, until <c>q</c> or cancellation. The collector is a function over one connection the caller
/// keeps open, so the loop itself never opens connections.
/// </summary>
internal sealed class TopSession(
    Func<CancellationToken, Task<Snapshot>> collect,
    TimeSpan interval,
    TimeProvider time,
    Func<char?> readKey,
    int rowsPerPane = TopFrame.DefaultRowsPerPane)
{
    private static readonly TimeSpan KeyPoll = TimeSpan.FromMilliseconds(50);

    /// <summary>Frames shown so far.</summary>
    public int Frames { get; private set; }

    /// <summary>Runs until <c>q</c> is pressed (returns normally) or <paramref name="cancellationToken"/> fires (throws).</summary>
    /// <param name="show">Draws a frame; the frame is null and the error set when the first refresh failed.</param>
    public async Task RunAsync(Func<TopFrame?, string?, CancellationToken, Task> show, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(show);
        TopFrame? last = null;
        while (true)
        {
            string? error = null;
            try
            {
                last = TopFrame.From(await collect(cancellationToken).ConfigureAwait(false), rowsPerPane);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                error = ex.Message.ReplaceLineEndings(" ");
            }

            await show(last, error, cancellationToken).ConfigureAwait(false);
            Frames++;
            if (await QuitRequestedWithinAsync(interval, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    private async Task<bool> QuitRequestedWithinAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        var until = time.GetUtcNow() + wait;
        while (true)
        {
            if (readKey() is 'q' or 'Q')
            {
                return true;
            }

            var left = until - time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            await Task.Delay(left < KeyPoll ? left : KeyPoll, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
