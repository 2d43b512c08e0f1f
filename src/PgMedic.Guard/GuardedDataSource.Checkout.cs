using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Npgsql;
using PgMedic.Guard.Admission;
using PgMedic.Guard.Errors;
using PgMedic.Guard.Holders;
using PgMedic.Guard.Logging;
using PgMedic.Guard.Metrics;

namespace PgMedic.Guard;

public sealed partial class GuardedDataSource
{
    // Backend PID -> when its connection was last returned; only kept when pre-ping is on.
    private readonly ConcurrentDictionary<int, long>? _returnedAt;

    internal ValueTask<NpgsqlConnection> CheckOutAsync(CheckoutLease lease, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var requested = _time.GetTimestamp();
        Waiter? waiter = null;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_maintenance)
            {
                throw new MaintenanceModeException(MaintenanceMessageLocked());
            }

            // Nobody overtakes a waiter: a free slot goes to the queue's head first.
            if (_waiters.Count == 0 && _holders.Count < _poolSize + _maxOverflow)
            {
                AdmitLocked(lease);
            }
            else
            {
                waiter = new Waiter(lease);
                _waiters.AddLast(waiter.Node);
            }
        }

        // The common case, a free slot, costs no extra async step over Npgsql's own open.
        return waiter is null
            ? OpenAdmittedAsync(lease, requested, cancellationToken)
            : WaitThenOpenAsync(waiter, requested, timeout, cancellationToken);
    }

    private async ValueTask<NpgsqlConnection> WaitThenOpenAsync(Waiter waiter, long requested, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await WaitForTurnAsync(waiter, timeout, cancellationToken).ConfigureAwait(false);
        return await OpenAdmittedAsync(waiter.Lease, requested, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<NpgsqlConnection> OpenAdmittedAsync(CheckoutLease lease, long requested, CancellationToken cancellationToken)
    {
        var source = _source;
        var connection = source.CreateConnection();
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (_returnedAt is not null
                && _returnedAt.TryRemove(connection.ProcessID, out var returnedAt)
                && _time.GetElapsedTime(returnedAt) is var idle
                && idle >= _options.PrePingIdleThreshold
                && !await PingAsync(connection, connection.ProcessID, idle, cancellationToken).ConfigureAwait(false))
            {
                await connection.DisposeAsync().ConfigureAwait(false);

                // A connection the server dropped rarely dies alone (restart, failover, mass terminate):
                // the other idle ones are closed too rather than pinged one by one.
                source.Clear();
                connection = source.CreateConnection();
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            // Cancelled by the caller is not the database failing; anything else is a checkout that got no connection.
            if (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _connectFailures);
            }

            await connection.DisposeAsync().ConfigureAwait(false);
            Return(lease);
            throw;
        }

        Interlocked.Increment(ref _checkouts);
        lease.BackendPid = connection.ProcessID;
        lease.Attach(connection);

        if (GuardMetrics.WaitTime.Enabled || _options.EchoPool)
        {
            var waited = _time.GetElapsedTime(requested);
            if (GuardMetrics.WaitTime.Enabled)
            {
                GuardMetrics.WaitTime.Record(waited.TotalSeconds, _poolTag);
            }

            if (_options.EchoPool)
            {
                EchoCheckout(lease, waited);
            }
        }

        return connection;
    }

    /// <summary>Called by the lease when its connection closes, is disposed or breaks; also when opening failed.</summary>
    internal void Return(CheckoutLease lease)
    {
        var now = _time.GetTimestamp();
        int checkedOut;
        int max;
        lock (_lock)
        {
            if (lease.Node.List is null)
            {
                return;
            }

            _holders.Remove(lease.Node);
            GrantWaitersLocked();
            checkedOut = _holders.Count;
            max = _poolSize + _maxOverflow;
        }

        if (lease.Connection is not { } connection)
        {
            return;
        }

        var held = _time.GetElapsedTime(lease.AdmittedTimestamp, now);
        if (GuardMetrics.UseTime.Enabled)
        {
            GuardMetrics.UseTime.Record(held.TotalSeconds, _poolTag);
        }

        if (lease.Reported)
        {
            GuardLog.LeakReturned(_logger, Name, lease.Id, lease.CallSite.Member, lease.CallSite.File, lease.CallSite.Line, lease.BackendPid, held.TotalSeconds);
        }

        if (_options.EchoPool)
        {
            GuardLog.EchoReturn(_logger, Name, lease.Id, lease.CallSite.Member, lease.CallSite.File, lease.CallSite.Line, lease.BackendPid, held.TotalMilliseconds, checkedOut, max);
        }

        if (_returnedAt is not null && (connection.FullState & System.Data.ConnectionState.Broken) == 0)
        {
            RememberReturn(lease.BackendPid, now);
        }
    }

    private void AdmitLocked(CheckoutLease lease)
    {
        lease.Id = ++_nextId;
        lease.AdmittedTimestamp = _time.GetTimestamp();
        _holders.AddLast(lease.Node);
    }

    private void GrantWaitersLocked()
    {
        while (_waiters.First is { } first && _holders.Count < _poolSize + _maxOverflow)
        {
            _waiters.RemoveFirst();
            var waiter = first.Value;
            AdmitLocked(waiter.Lease);
            waiter.Granted = true;
            waiter.Completion.TrySetResult();
        }
    }

    private async ValueTask WaitForTurnAsync(Waiter waiter, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await waiter.Completion.Task.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            bool timedOut;
            lock (_lock)
            {
                timedOut = !waiter.Granted && waiter.Node.List is not null;
                if (timedOut)
                {
                    _waiters.Remove(waiter.Node);
                    _timeouts++;
                }
            }

            // A slot handed over just as the timer fired is taken rather than thrown away.
            if (timedOut)
            {
                throw TimedOut(waiter.Lease, timeout);
            }
        }
        catch (OperationCanceledException)
        {
            bool granted;
            lock (_lock)
            {
                granted = waiter.Granted;
                if (!granted && waiter.Node.List is not null)
                {
                    _waiters.Remove(waiter.Node);
                }
            }

            if (granted)
            {
                Return(waiter.Lease);
            }

            throw;
        }
    }

    private PoolTimeoutException TimedOut(CheckoutLease lease, TimeSpan timeout)
    {
        var statistics = Statistics;
        var oldest = HoldersOldestFirst(TimeoutReport.HoldersShown);
        GuardMetrics.Timeouts.Add(1, _poolTag);
        GuardLog.CheckoutTimedOut(_logger, Name, lease.CallSite.Member, lease.CallSite.File, lease.CallSite.Line, timeout.TotalSeconds, statistics.CheckedOut, statistics.Waiting);
        return new PoolTimeoutException(TimeoutReport.Format(timeout, statistics, oldest), statistics, oldest);
    }

    private async ValueTask<bool> PingAsync(NpgsqlConnection connection, int pid, TimeSpan idle, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            command.CommandTimeout = Math.Max(1, (int)Math.Ceiling(_options.ConnectTimeout.TotalSeconds));
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (NpgsqlException e) when (!cancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref _prePingReplacements);
            GuardLog.PrePingReplaced(_logger, Name, pid, idle.TotalSeconds, e);
            return false;
        }
    }

    private void RememberReturn(int pid, long timestamp)
    {
        if (pid == 0)
        {
            return;
        }

        _returnedAt![pid] = timestamp;

        // Npgsql prunes idle connections silently; forget PIDs that cannot still be pooled.
        if (_returnedAt.Count > 4 * Math.Max(_sourceMaxPoolSize, 8))
        {
            foreach (var (stalePid, at) in _returnedAt)
            {
                if (_time.GetElapsedTime(at) > TimeSpan.FromMinutes(10))
                {
                    _returnedAt.TryRemove(stalePid, out _);
                }
            }
        }
    }

    private void EchoCheckout(CheckoutLease lease, TimeSpan waited)
    {
        int checkedOut;
        int max;
        lock (_lock)
        {
            checkedOut = _holders.Count;
            max = _poolSize + _maxOverflow;
        }

        GuardLog.EchoCheckout(_logger, Name, lease.Id, lease.CallSite.Member, lease.CallSite.File, lease.CallSite.Line, lease.BackendPid, waited.TotalMilliseconds, checkedOut, max);
    }
}
