using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using PgMedic.Guard.Admission;
using PgMedic.Guard.Configuration;
using PgMedic.Guard.Holders;
using CallSite = PgMedic.Guard.Holders.CallSite;
using PgMedic.Guard.Logging;
using PgMedic.Guard.Metrics;

namespace PgMedic.Guard;

/// <summary>
/// An Npgsql data source with a guard in front: a fair (first come, first served) admission gate that
/// bounds checked-out connections and so knows, at every moment, the pool's size, checked out,
/// overflow, idle and waiting counts; who holds each connection (call site, age, backend PID); and
/// which checkouts leaked. <see cref="OpenConnectionAsync"/> returns a plain <see cref="NpgsqlConnection"/>;
/// closing or disposing it returns it.
/// </summary>
public sealed partial class GuardedDataSource : IAsyncDisposable, IDisposable
{
    private static long s_instances;

    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly LinkedList<CheckoutLease> _holders = new();
    private readonly List<NpgsqlDataSource> _sources = [];
    private readonly List<string> _sourceNames = [];
    private readonly GuardOptions _options;
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _time;
    private readonly StackCapture _stacks;
    private readonly Action<NpgsqlDataSourceBuilder>? _configureDataSource;
    private readonly KeyValuePair<string, object?> _poolTag;
    private readonly long _instance;
    private readonly ITimer? _leakTimer;
    private NpgsqlDataSource _source;
    private int _sourceMaxPoolSize;
    private int _poolSize;
    private int _maxOverflow;
    private bool _maintenance;
    private string _maintenanceReason = string.Empty;
    private long _nextId;
    private long _timeouts;
    private long _leaks;
    private long _prePingReplacements;
    private long _checkouts;
    private long _connectFailures;
    private bool _disposed;

    private GuardedDataSource(GuardOptions options, ILoggerFactory loggerFactory, TimeProvider timeProvider, Action<NpgsqlDataSourceBuilder>? configureDataSource)
    {
        _options = options;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("PgMedic.Guard");
        _time = timeProvider;
        _configureDataSource = configureDataSource;
        _stacks = new StackCapture(options.StackTraces, options.StackTraceSampleRate);
        _poolTag = GuardMetrics.PoolTag(options.Name);
        _instance = Interlocked.Increment(ref s_instances);
        _poolSize = options.PoolSize;
        _maxOverflow = options.MaxOverflow;
        _maintenance = options.MaintenanceMode;
        _maintenanceReason = options.MaintenanceMode ? GuardVariables.MaintenanceMode : string.Empty;
        _source = AddSource(options.MaxConnections);
        _returnedAt = options.PrePing ? new() : null;
        if (options.LeakThreshold > TimeSpan.Zero)
        {
            var period = TimeSpan.FromTicks(Math.Clamp(options.LeakThreshold.Ticks / 4, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerSecond * 5));
            _leakTimer = _time.CreateTimer(static state => ((GuardedDataSource)state!).ScanForLeaks(), this, period, period);
        }

        GuardMetrics.Register(this);
    }

    /// <summary>Creates a guard. The options are validated (every problem reported at once) and copied.</summary>
    /// <param name="options">The settings; see <see cref="GuardOptionsReader"/> to read them from the environment.</param>
    /// <param name="loggerFactory">Where leak warnings, echo logs and Npgsql's own logs go.</param>
    /// <param name="timeProvider">The clock for ages, leak detection and the pool timeout.</param>
    /// <param name="configureDataSource">Further Npgsql settings (type mappings, TLS callbacks) on the inner data source.</param>
    /// <exception cref="GuardConfigurationException">The options are invalid.</exception>
    public static GuardedDataSource Create(
        GuardOptions options,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null,
        Action<NpgsqlDataSourceBuilder>? configureDataSource = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new GuardConfigurationException(errors);
        }

        return new GuardedDataSource(options.Clone(), loggerFactory ?? NullLoggerFactory.Instance, timeProvider ?? TimeProvider.System, configureDataSource);
    }

    /// <summary>Creates a guard from <c>DATABASE_URL</c>, <c>DATABASE_POOL_SIZE</c> and the other variables of the runbook.</summary>
    /// <exception cref="GuardConfigurationException">A variable is missing, unreadable or out of range.</exception>
    public static GuardedDataSource FromEnvironment(ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null) =>
        Create(GuardOptionsReader.FromEnvironment(), loggerFactory, timeProvider);

    /// <summary>The pool's name in metrics, logs and <c>/health/pool</c>.</summary>
    public string Name => _options.Name;

    /// <summary>The pool timeout checkouts wait for a slot.</summary>
    public TimeSpan PoolTimeout => _options.PoolTimeout;

    /// <summary>The leak threshold (zero when leak detection is off).</summary>
    public TimeSpan LeakThreshold => _options.LeakThreshold;

    /// <summary>
    /// Checks out an open connection. Waits, in arrival order, while <c>PoolSize + MaxOverflow</c>
    /// connections are checked out, and fails with <see cref="Errors.PoolTimeoutException"/> (listing
    /// the holders) after the pool timeout. Close or dispose the connection to return it.
    /// The caller's file, line and member are recorded by the compiler; pass nothing for them.
    /// </summary>
    /// <exception cref="Errors.MaintenanceModeException">The guard is in maintenance mode.</exception>
    /// <exception cref="Errors.PoolTimeoutException">No slot became free within the pool timeout.</exception>
    /// <exception cref="NpgsqlException">The connection could not be opened.</exception>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public ValueTask<NpgsqlConnection> OpenConnectionAsync(
        CancellationToken cancellationToken = default,
        [CallerMemberName] string member = "",
        [CallerFilePath] string file = "",
        [CallerLineNumber] int line = 0)
    {
        var lease = new CheckoutLease(this, new CallSite(file, line, member), _stacks.Capture());
        return CheckOutAsync(lease, _options.PoolTimeout, cancellationToken);
    }

    /// <summary>
    /// Stops the guard: checkouts still waiting fail with <see cref="ObjectDisposedException"/>, leak
    /// detection and the metrics stop, and the underlying Npgsql data sources are disposed.
    /// </summary>
    public void Dispose()
    {
        List<Waiter> failed;
        List<NpgsqlDataSource> sources;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            failed = DrainWaitersLocked();
            sources = [.. _sources];
        }

        foreach (var waiter in failed)
        {
            waiter.Completion.TrySetException(new ObjectDisposedException(nameof(GuardedDataSource)));
        }

        _leakTimer?.Dispose();
        GuardMetrics.Unregister(this);
        foreach (var source in sources)
        {
            source.Dispose();
        }
    }

    /// <summary>The same as <see cref="Dispose"/>, for <c>await using</c>.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    internal int MaxConnectionsNow
    {
        get
        {
            lock (_lock)
            {
                return _poolSize + _maxOverflow;
            }
        }
    }

    internal int WaitingNow
    {
        get
        {
            lock (_lock)
            {
                return _waiters.Count;
            }
        }
    }

    private NpgsqlDataSource AddSource(int maxPoolSize)
    {
        // Unique per inner source, so that idle counts read from Npgsql's meter are this guard's own.
        var name = $"{_options.Name}#{_instance}.{_sources.Count}";
        var builder = new NpgsqlDataSourceBuilder(NpgsqlMapping.Build(_options, maxPoolSize).ConnectionString) { Name = name };
        builder.UseLoggerFactory(_loggerFactory);
        _configureDataSource?.Invoke(builder);
        var source = builder.Build();
        _sources.Add(source);
        _sourceNames.Add(name);
        _sourceMaxPoolSize = maxPoolSize;
        return source;
    }

    private List<Waiter> DrainWaitersLocked()
    {
        var drained = new List<Waiter>(_waiters.Count);
        while (_waiters.First is { } first)
        {
            _waiters.RemoveFirst();
            drained.Add(first.Value);
        }

        return drained;
    }
}
