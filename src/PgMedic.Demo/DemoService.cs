using Npgsql;
using PgMedic.Core.Diagnosis;
using PgMedic.Guard;
using PgMedic.Guard.Configuration;
using PgMedic.Guard.Errors;
using PgMedic.Postgres.Targets;

namespace PgMedic.Demo;

/// <summary>
/// The service of the demo, in-process: its connections go through PgMedic.Guard; two workers send
/// normal traffic, and a buggy export job can be switched on that checks out connections, opens a
/// transaction and never gives them back.
/// </summary>
internal sealed class DemoService : IAsyncDisposable
{
    public const string ApplicationName = "orders-api";
    private const int PoolSize = 16;

    private readonly ConnectionTarget _database;
    private readonly Narrator _narrator;
    private readonly List<NpgsqlConnection> _leaked = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _workers = [];
    private CancellationTokenSource? _leakStop;
    private Task _leakTask = Task.CompletedTask;
    private long _succeeded;
    private long _failed;
    private int _reportedFailure;

    public DemoService(ConnectionTarget database, Narrator narrator, string trafficSql)
    {
        _database = database;
        _narrator = narrator;
        TrafficSql = trafficSql;
        Guard = CreateGuard();
    }

    public GuardedDataSource Guard { get; private set; }

    public string TrafficSql { get; }

    public (long Succeeded, long Failed) Counts => (Interlocked.Read(ref _succeeded), Interlocked.Read(ref _failed));

    public void StartTraffic(int workers = 2)
    {
        for (var i = 0; i < workers; i++)
        {
            _workers.Add(Task.Run(() => TrafficAsync(_stop.Token)));
        }
    }

    /// <summary>Switches the bug on: one leaked connection, idle in an open transaction, every <paramref name="every"/>.</summary>
    public void StartLeak(TimeSpan every)
    {
        _leakStop = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var token = _leakStop.Token;
        _leakTask = Task.Run(async () =>
        {
            while (!token.IsCancellationRequested)
            {
                try
                {
                    await ExportInvoicesAsync(token);
                    await Task.Delay(every, token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (NpgsqlException)
                {
                    // The pool is exhausted: the leak has taken every slot it can.
                    await Task.Delay(every, CancellationToken.None);
                }
            }
        });
    }

    /// <summary>The service's pool as its /health/pool would show it, for joining to server sessions.</summary>
    public AppPool Pool()
    {
        var statistics = Guard.Statistics;
        var holders = Guard.Holders
            .Select(h => new AppHolder(ApplicationName, h.BackendPid, new AppCallSite(h.CallSite.File, h.CallSite.Line, h.CallSite.Member), Math.Round(h.Age.TotalSeconds, 1), h.Leaked))
            .ToList();
        return new AppPool($"in-process://{ApplicationName}", Guard.Name, statistics.PoolSize, statistics.MaxConnections, statistics.CheckedOut, statistics.Idle, statistics.Waiting, statistics.Timeouts, statistics.Leaks, holders, null);
    }

    public IReadOnlyList<int> LeakedPids()
    {
        lock (_leaked)
        {
            return _leaked.Select(c => c.ProcessID).ToList();
        }
    }

    /// <summary>Stops the buggy job from leaking more; what it leaked stays leaked until the restart.</summary>
    public async Task PauseLeakAsync()
    {
        if (_leakStop is not null)
        {
            await _leakStop.CancelAsync();
            await _leakTask;
        }
    }

    /// <summary>The runbook's "restart the API": the buggy job stops, its leaked connections are dropped with the old pool, and a fresh pool starts.</summary>
    public async Task RestartAsync()
    {
        await PauseLeakAsync();

        await DropLeakedAsync();
        var old = Guard;
        Guard = CreateGuard();
        old.Dispose();
        Interlocked.Exchange(ref _reportedFailure, 0);
    }

    public async Task<string> HealthJsonAsync()
    {
        var health = await Guard.CheckHealthAsync(TimeSpan.FromSeconds(3));
        return health.Error is null
            ? $"{{\"status\":\"{health.Status.ToString().ToLowerInvariant()}\",\"database\":\"{health.Database}\"}}"
            : $"{{\"status\":\"{health.Status.ToString().ToLowerInvariant()}\",\"database\":\"{health.Database}\",\"error\":\"{health.Error}\"}}";
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers.Append(_leakTask));
        await DropLeakedAsync();
        Guard.Dispose();
        _stop.Dispose();
        _leakStop?.Dispose();
    }

    // The bug: the connection is never disposed, and its transaction never ends.
    private async Task ExportInvoicesAsync(CancellationToken cancellationToken)
    {
        var connection = await Guard.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("BEGIN; SELECT count(*) FROM pg_class", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        lock (_leaked)
        {
            _leaked.Add(connection);
        }
    }

    private async Task TrafficAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using (var connection = await Guard.OpenConnectionAsync(cancellationToken))
                {
                    await using var command = new NpgsqlCommand(TrafficSql, connection);
                    await command.ExecuteScalarAsync(cancellationToken);
                }

                Interlocked.Increment(ref _succeeded);
                await Task.Delay(50, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or ObjectDisposedException or InvalidOperationException)
            {
                Interlocked.Increment(ref _failed);
                if (Interlocked.Exchange(ref _reportedFailure, 1) == 0)
                {
                    var message = ex is PoolTimeoutException ? ex.Message : $"{ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}";
                    _narrator.Record("failure", $"{ApplicationName}: first failed checkout — {message}");
                }

                await Task.Delay(100, CancellationToken.None);
            }
        }
    }

    private GuardedDataSource CreateGuard() => GuardedDataSource.Create(new GuardOptions
    {
        ConnectionString = _database.ToNpgsqlConnectionString(ApplicationName, TimeSpan.FromSeconds(5), pooling: true),
        Name = ApplicationName,
        PoolSize = PoolSize,
        MaxOverflow = 0,
        PoolTimeout = TimeSpan.FromSeconds(1),
        LeakThreshold = TimeSpan.FromSeconds(1),
        CommandTimeout = TimeSpan.FromSeconds(30),
    });

    private async Task DropLeakedAsync()
    {
        List<NpgsqlConnection> leaked;
        lock (_leaked)
        {
            leaked = [.. _leaked];
            _leaked.Clear();
        }

        foreach (var connection in leaked)
        {
            try
            {
                await connection.DisposeAsync();
            }
            catch (NpgsqlException)
            {
                // Its backend was terminated: nothing left to close.
            }
        }
    }
}
