using Npgsql;
using PgMedic.Core.Probing;
using PgMedic.Postgres.Probing;
using PgMedic.Postgres.Targets;

namespace PgMedic.Postgres.Collection;

/// <summary>
/// One deadline for a whole one-shot read (diagnose, check, activity, slow-queries, advise): connecting
/// and reading share it, so a slow connect leaves the read only what is left, and the command ends
/// within its timeout however the time was spent. A read the deadline cuts short ends as a timeout —
/// the server was reached but did not answer in time — never as "cancelled".
/// </summary>
/// <remarks>
/// The deadline owns the connection it opens. At the deadline the command stops waiting for the read
/// rather than cancelling it through Npgsql: a cancel opens a second connection and waits for the server
/// to close it, which over a stalled network or to a frozen server costs seconds past the deadline. The
/// abandoned read still ends by itself (its statement timeout is the time that was left) and its
/// connection is then closed in the background; a one-shot command has exited by then.
/// </remarks>
public sealed class CommandDeadline : IAsyncDisposable
{
    /// <summary>The least time a step is given, so that a step started just before the deadline still fails as a timeout.</summary>
    private static readonly TimeSpan Minimum = TimeSpan.FromMilliseconds(50);

    /// <summary>A server's "statement timeout" that lands this close to the deadline is the deadline's.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(250);

    private readonly CancellationToken _caller;
    private readonly TimeProvider _time;
    private readonly long _started;
    private NpgsqlConnection? _connection;
    private Task? _abandoned;

    public CommandDeadline(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        Timeout = timeout;
        _time = time;
        _caller = cancellationToken;
        _started = time.GetTimestamp();
    }

    public TimeSpan Timeout { get; }

    /// <summary>The caller's own token (Ctrl+C); steps are bounded by <see cref="Remaining"/> each in its own way.</summary>
    public CancellationToken CallerToken => _caller;

    public TimeSpan Elapsed => _time.GetElapsedTime(_started);

    public TimeSpan Remaining => Timeout - Elapsed is var left && left > Minimum ? left : Minimum;

    /// <summary>Opens PgMedic's one connection within what is left of the deadline; the deadline closes it when disposed.</summary>
    public async Task<(NpgsqlConnection? Connection, ProbeResult Result)> ConnectAsync(ConnectionTarget target, ConnectionSettings settings)
    {
        var (connection, result) = await Prober.ConnectAsync(target, Remaining, settings, _caller).ConfigureAwait(false);
        _connection = connection;

        // A connect given all that was left ran into the command's deadline: said as a read cut short says it.
        if (connection is null && result.Reason == ProbeReason.Timeout)
        {
            result = result with { Message = $"no answer before the {Timeout.TotalSeconds:0.###} s deadline" };
        }

        return (connection, result);
    }

    /// <summary>
    /// Runs one read over the open connection with what is left as its statement timeout. In place of the
    /// value, why there is none: the deadline passed first (a timeout), or the connection was lost mid-read
    /// (a reset) — the same no-response outcomes a probe reports, never a trace or "cancelled".
    /// </summary>
    /// <param name="connected">The connect's result, which the failure extends.</param>
    public async Task<(T? Value, ProbeResult? Failure)> ReadAsync<T>(ProbeResult connected, Func<TimeSpan, CancellationToken, Task<T>> read)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(connected);
        ArgumentNullException.ThrowIfNull(read);
        var left = Remaining;
        var reading = read(left, _caller);
        try
        {
            return (await reading.WaitAsync(left, _time, _caller).ConfigureAwait(false), null);
        }
        catch (TimeoutException) when (!reading.IsCompleted)
        {
            _abandoned = reading;
            return (null, TimedOut(connected));
        }
        catch (Exception ex) when (IsDeadline(ex))
        {
            return (null, TimedOut(connected));
        }
        catch (Exception ex) when (IsLost(ex))
        {
            return (null, connected with
            {
                Outcome = ProbeOutcome.NoResponse,
                Reason = ProbeReason.Reset,
                Message = $"the connection was lost mid-read after {Elapsed.TotalSeconds:0.0} s: {Innermost(ex).Message.ReplaceLineEndings(" ")}",
            });
        }
    }

    /// <summary>The connect succeeded but the read did not come back in time: no response, a timeout.</summary>
    public ProbeResult TimedOut(ProbeResult connected)
    {
        ArgumentNullException.ThrowIfNull(connected);
        var connectedIn = connected.ConnectMilliseconds is { } ms ? $" in {ms / 1000:0.0#} s" : string.Empty;
        return connected with
        {
            Outcome = ProbeOutcome.NoResponse,
            Reason = ProbeReason.Timeout,
            Message = $"connected{connectedIn}, but the server did not answer before the {Timeout.TotalSeconds:0.###} s deadline",
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not { } connection)
        {
            return;
        }

        _connection = null;
        if (_abandoned is { } reading)
        {
            // Closing now would wait for the abandoned read: close when it has ended, without holding the command up.
            _ = reading.ContinueWith(_ => connection.DisposeAsync().AsTask(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
            return;
        }

        await connection.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The network or the server went away (not an error the server answered with, which the caller reports).</summary>
    private bool IsLost(Exception ex) =>
        !_caller.IsCancellationRequested && ex is IOException or (NpgsqlException and not PostgresException);

    /// <summary>The server's statement timeout (the time that was left) or Npgsql's command timeout ended the read.</summary>
    private bool IsDeadline(Exception ex) =>
        !_caller.IsCancellationRequested && ex switch
        {
            NpgsqlException { InnerException: TimeoutException } => true,
            PostgresException { SqlState: PostgresErrorCodes.QueryCanceled } => Elapsed >= Timeout - Slack,
            _ => false,
        };

    private static Exception Innermost(Exception exception)
    {
        var current = exception;
        while (current.InnerException is not null)
        {
            current = current.InnerException;
        }

        return current;
    }
}
