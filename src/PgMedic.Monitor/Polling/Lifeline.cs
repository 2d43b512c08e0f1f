using Microsoft.Extensions.Logging;
using Npgsql;
using PgMedic.Core.Probing;
using PgMedic.Core.Snapshots;
using PgMedic.Monitor.Configuration;
using PgMedic.Postgres.Collection;
using PgMedic.Postgres.Probing;

namespace PgMedic.Monitor.Polling;

/// <summary>
/// The monitor's one long-lived connection to a target (application_name=pgmedic, lock_timeout set):
/// opened once and kept across polls, so that when the server is full the monitor — through a
/// superuser's reserved slots — can still see and act. When it is lost it is reopened with exponential
/// backoff (driven by <see cref="TimeProvider"/>), never more than one at a time. Polls and actions take
/// turns on it.
/// </summary>
internal sealed class Lifeline(MonitoredTarget target, TimeSpan timeout, TimeSpan initialBackoff, TimeSpan maxBackoff, TimeProvider time, ILogger logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private NpgsqlConnection? _connection;
    private DateTimeOffset _nextAttempt = DateTimeOffset.MinValue;
    private TimeSpan _backoff = TimeSpan.Zero;
    private ProbeResult? _lastFailure;

    public bool IsConnected => _connection is { State: System.Data.ConnectionState.Open };

    /// <summary>How many connections this lifeline has opened (1 unless it was lost).</summary>
    public int ConnectionsOpened { get; private set; }

    /// <summary>When the next reconnect may be tried (a backoff is running until then).</summary>
    public DateTimeOffset NextAttempt => _nextAttempt;

    /// <summary>
    /// Collects a snapshot over the lifeline; null and why when it is down (or backing off). The lifeline
    /// holds its slot between polls like any session, so the snapshot counts it: a full server reads 100 %.
    /// </summary>
    /// <remarks>
    /// A snapshot that has not come back <see cref="Grace"/> after its statement timeout never will in time (a
    /// frozen backend cannot even act on its statement_timeout): the poll stops waiting, the connection is
    /// given up (closed once the read ends) and the next poll reconnects — no poll waits out Npgsql's own
    /// timeout and cancel.
    /// </remarks>
    public Task<(Snapshot? Snapshot, ProbeResult? Failure)> CollectAsync(CancellationToken cancellationToken) =>
        UseAsync(async connection => await SnapshotCollector.CollectAsync(connection, timeout, cancellationToken).ConfigureAwait(false) with { CollectorCounted = true }, cancellationToken, timeout + Grace);

    /// <summary>Kept past the statement timeout for the server's own "canceling statement" answer to arrive.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(500);

    /// <summary>Runs <paramref name="work"/> on the open lifeline, connecting first when allowed; a connection error closes it and starts the backoff.</summary>
    /// <param name="bound">How long to wait for <paramref name="work"/> before giving the connection up; null waits as long as it takes (an action).</param>
    public async Task<(T? Result, ProbeResult? Failure)> UseAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken, TimeSpan? bound = null)
    {
        ArgumentNullException.ThrowIfNull(work);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!IsConnected && !await ConnectAsync(cancellationToken).ConfigureAwait(false))
            {
                return (default, _lastFailure);
            }

            var running = work(_connection!);
            try
            {
                return (await (bound is { } limit ? running.WaitAsync(limit, time, cancellationToken) : running).ConfigureAwait(false), null);
            }
            catch (TimeoutException) when (bound is { } limit && !running.IsCompleted)
            {
                // Closing now would wait for the read: close it when the read ends, and reconnect on the next poll.
                var abandoned = _connection!;
                _connection = null;
                _ = running.ContinueWith(_ => abandoned.DisposeAsync().AsTask(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
                _lastFailure = new ProbeResult(target.Masked, ProbeOutcome.NoResponse, ProbeReason.Timeout, null, $"the lifeline's snapshot did not come back within {limit.TotalSeconds:0.###} s; reconnecting", null, null, null);
                ScheduleRetry(immediately: true);
                MonitorLog.LifelineDown(logger, target.Name, ProbeReason.Timeout, _lastFailure.Message, 0);
                return (default, _lastFailure);
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                if (!IsConnected)
                {
                    await CloseAsync().ConfigureAwait(false);
                    _lastFailure = new ProbeResult(target.Masked, ProbeOutcome.NoResponse, ProbeReason.Reset, null, "the lifeline connection was lost", null, null, null);
                    ScheduleRetry(immediately: true);
                    return (default, _lastFailure);
                }

                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    private async Task<bool> ConnectAsync(CancellationToken cancellationToken)
    {
        if (time.GetUtcNow() < _nextAttempt)
        {
            return false;
        }

        await CloseAsync().ConfigureAwait(false);
        var (connection, result) = await Prober.ConnectAsync(target.Connection, timeout, ConnectionSettings.Collector, cancellationToken).ConfigureAwait(false);
        if (connection is null)
        {
            _lastFailure = result;
            ScheduleRetry(immediately: false);
            MonitorLog.LifelineDown(logger, target.Name, result.Reason, result.Message, _backoff.TotalMilliseconds);
            return false;
        }

        _connection = connection;
        ConnectionsOpened++;
        _backoff = TimeSpan.Zero;
        _nextAttempt = DateTimeOffset.MinValue;
        _lastFailure = null;
        MonitorLog.LifelineUp(logger, target.Name);
        return true;
    }

    /// <summary>Exponential backoff: the first retry after a lost connection is immediate, then initial, 2×, 4× … up to the maximum.</summary>
    private void ScheduleRetry(bool immediately)
    {
        if (immediately)
        {
            _nextAttempt = DateTimeOffset.MinValue;
            return;
        }

        _backoff = _backoff == TimeSpan.Zero ? initialBackoff : TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, maxBackoff.Ticks));
        _nextAttempt = time.GetUtcNow() + _backoff;
    }

    private async Task CloseAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }
    }
}
