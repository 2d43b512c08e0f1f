using System.Globalization;
using Npgsql;
using PgMedic.Guard.Admission;
using PgMedic.Guard.Configuration;
using PgMedic.Guard.Errors;
using PgMedic.Guard.Health;
using PgMedic.Guard.Holders;
using PgMedic.Guard.Logging;

namespace PgMedic.Guard;

public sealed partial class GuardedDataSource
{
    private static readonly CallSite HealthCallSite = new("PgMedic.Guard", 0, "health check");

    /// <summary>True while new checkouts are refused.</summary>
    public bool IsInMaintenance
    {
        get
        {
            lock (_lock)
            {
                return _maintenance;
            }
        }
    }

    /// <summary>Current pool size (<c>DATABASE_POOL_SIZE</c> or the last <see cref="Resize"/>).</summary>
    public int PoolSize
    {
        get
        {
            lock (_lock)
            {
                return _poolSize;
            }
        }
    }

    /// <summary>Current overflow (<c>DATABASE_MAX_OVERFLOW</c> or the last <see cref="Resize"/>).</summary>
    public int MaxOverflow
    {
        get
        {
            lock (_lock)
            {
                return _maxOverflow;
            }
        }
    }

    /// <summary>
    /// The runbook's step 4 without a restart: new checkouts, and checkouts already waiting, fail at
    /// once with <see cref="MaintenanceModeException"/>; connections already checked out run to the end.
    /// </summary>
    public void EnterMaintenance(string? reason = null)
    {
        List<Waiter> failed;
        int checkedOut;
        string message;
        lock (_lock)
        {
            _maintenance = true;
            _maintenanceReason = string.IsNullOrWhiteSpace(reason) ? "maintenance" : reason;
            failed = DrainWaitersLocked();
            checkedOut = _holders.Count;
            message = MaintenanceMessageLocked();
        }

        foreach (var waiter in failed)
        {
            waiter.Completion.TrySetException(new MaintenanceModeException(message));
        }

        GuardLog.MaintenanceEntered(_logger, Name, _maintenanceReason, checkedOut);
    }

    /// <summary>Accepts new checkouts again.</summary>
    public void ExitMaintenance()
    {
        lock (_lock)
        {
            _maintenance = false;
            _maintenanceReason = string.Empty;
        }

        GuardLog.MaintenanceLeft(_logger, Name);
    }

    /// <summary>
    /// Changes the pool size and overflow at run time (the runbook restarts the service for this).
    /// Growing serves waiters at once; shrinking lets checked-out connections finish and admits new
    /// checkouts only below the new limit.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    public void Resize(int poolSize, int maxOverflow)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(poolSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(poolSize, Limits.MaxPoolSize);
        ArgumentOutOfRangeException.ThrowIfNegative(maxOverflow);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxOverflow, Limits.MaxPoolSize);
        int oldSize;
        int oldOverflow;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            (oldSize, oldOverflow) = (_poolSize, _maxOverflow);
            (_poolSize, _maxOverflow) = (poolSize, maxOverflow);

            // Npgsql's maximum is fixed per data source: a larger limit gets a new inner source, and
            // the old one closes its idle connections now and its busy ones as they come back.
            if (poolSize + maxOverflow > _sourceMaxPoolSize)
            {
                var retired = _source;
                _source = AddSource(poolSize + maxOverflow);
                retired.Clear();
            }

            GrantWaitersLocked();
        }

        GuardLog.Resized(_logger, Name, oldSize, oldOverflow, poolSize, maxOverflow);
    }

    /// <summary>
    /// The runbook's health check: <c>SELECT 1</c> through the guard within <paramref name="timeout"/>.
    /// In maintenance mode the database is not touched.
    /// </summary>
    public async Task<GuardHealthReport> CheckHealthAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        string reason;
        lock (_lock)
        {
            reason = _maintenance ? MaintenanceMessageLocked() : string.Empty;
        }

        if (reason.Length > 0)
        {
            return new GuardHealthReport(GuardHealthStatus.Maintenance, GuardHealthReport.NotChecked, reason);
        }

        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        try
        {
            var lease = new CheckoutLease(this, HealthCallSite, stack: null);
            await using var connection = await CheckOutAsync(lease, timeout, linked.Token).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(linked.Token).ConfigureAwait(false);
            return new GuardHealthReport(GuardHealthStatus.Healthy, GuardHealthReport.Connected, null);
        }
        catch (MaintenanceModeException e)
        {
            return new GuardHealthReport(GuardHealthStatus.Maintenance, GuardHealthReport.NotChecked, e.Message);
        }
        catch (PoolTimeoutException e)
        {
            var s = e.Statistics!;
            return new GuardHealthReport(GuardHealthStatus.Unhealthy, GuardHealthReport.Connected, string.Create(
                CultureInfo.InvariantCulture, $"connection pool exhausted: {s.CheckedOut} of {s.MaxConnections} checked out, {s.Waiting} waiting"));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new GuardHealthReport(GuardHealthStatus.Unhealthy, GuardHealthReport.Disconnected, string.Create(
                CultureInfo.InvariantCulture, $"no answer from the database within {timeout.TotalSeconds:0.###} s"));
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return new GuardHealthReport(GuardHealthStatus.Unhealthy, GuardHealthReport.Disconnected, e.Message);
        }
    }

    private string MaintenanceMessageLocked() =>
        $"PgMedic.Guard pool '{Name}' is in maintenance mode ({_maintenanceReason}): new database connections are refused until it ends";
}
