using Microsoft.Extensions.Logging;
using PgMedic.Core.SessionHistory;
using PgMedic.Core.Snapshots;
using PgMedic.Monitor.Configuration;
using PgMedic.Monitor.History;
using PgMedic.Postgres.SessionHistory;

namespace PgMedic.Monitor.Polling;

/// <summary>
/// A target's active session history. At the default interval (the poll interval) each poll's snapshot is
/// the sample, so sampling costs the server nothing more; at a shorter interval (1 s, say) it reads the
/// client sessions itself over the poller's lifeline — taking turns with the polls and actions, never a
/// second connection. Samples of the current clock minute wait in memory (the API reads them there) and
/// go to the history as one run when the minute is over.
/// </summary>
internal sealed class SessionSampler(MonitoredTarget target, MonitorOptions options, IHistoryStore store, Lifeline lifeline, TimeProvider time, ILogger logger)
{
    private readonly ActivitySampler _sampler = new(options.SessionHistory.TopSessions);
    private readonly ActivityReader _reader = new();
    private readonly Dictionary<SessionKey, int> _ids = [];
    private readonly Dictionary<int, SessionKey> _keys = [];
    private readonly Dictionary<int, SessionKey> _newKeys = [];
    private readonly Lock _lock = new();
    private List<ActivitySample> _pending = [];
    private long _pendingMinute = -1;
    private int _nextId = 1;
    private bool _loaded;

    public TimeSpan Interval { get; } = target.SampleInterval(options.PollInterval);

    /// <summary>True when each poll's snapshot is the sample (the interval is the poll interval).</summary>
    public bool FromPolls => Interval == options.PollInterval;

    /// <summary>Every key known, by number (the history's dictionary and the ones not yet written).</summary>
    public IReadOnlyDictionary<int, SessionKey> Keys
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<int, SessionKey>(_keys);
            }
        }
    }

    /// <summary>Normalised text of fingerprints seen in <see cref="Pending"/> samples and not yet in the history.</summary>
    public IReadOnlyDictionary<long, string> PendingQueries
    {
        get
        {
            lock (_lock)
            {
                return _sampler.PeekNewQueries();
            }
        }
    }

    /// <summary>Samples of the current minute, not yet in the history.</summary>
    public IReadOnlyList<ActivitySample> Pending
    {
        get
        {
            lock (_lock)
            {
                return [.. _pending];
            }
        }
    }

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var keys = await store.ActivityKeysAsync(target.Name, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            foreach (var (id, key) in keys)
            {
                _keys[id] = key;
                _ids.TryAdd(key, id);
                _nextId = Math.Max(_nextId, id + 1);
            }

            _loaded = true;
        }
    }

    /// <summary>Samples every <see cref="Interval"/> over the lifeline until stopped (when the polls do not).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (FromPolls)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await SampleOnceAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    MonitorLog.SamplingFailed(logger, target.Name, ex.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the caller flushes.
        }
    }

    /// <summary>Reads the client sessions over the lifeline and adds them as one sample; nothing when the lifeline is down.</summary>
    public async Task SampleOnceAsync(CancellationToken cancellationToken)
    {
        var at = time.GetUtcNow();
        var (read, _) = await lifeline.UseAsync(connection => _reader.ReadAsync(connection, options.Timeout, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (read.Sessions is not null)
        {
            await AddAsync(at, read.ServerNow, read.Sessions, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Adds one sample of <paramref name="sessions"/> taken at <paramref name="at"/>, writing the previous minute's run once a new minute begins.</summary>
    public async Task AddAsync(DateTimeOffset at, DateTimeOffset serverNow, IReadOnlyList<SessionInfo> sessions, CancellationToken cancellationToken)
    {
        if (!_loaded)
        {
            await LoadAsync(cancellationToken).ConfigureAwait(false);
        }

        ActivityRun? run = null;
        lock (_lock)
        {
            var sample = _sampler.Sample(at, serverNow, sessions, KeyOf);
            var minute = at.UtcTicks / TimeSpan.TicksPerMinute;
            if (_pending.Count > 0 && minute != _pendingMinute)
            {
                run = TakeRun();
            }

            _pending.Add(sample);
            _pendingMinute = minute;
        }

        if (run is not null)
        {
            await store.AddActivityRunAsync(target.Name, run, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the samples still waiting (when the monitor stops).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        ActivityRun? run;
        lock (_lock)
        {
            run = _pending.Count > 0 ? TakeRun() : null;
        }

        if (run is not null)
        {
            await store.AddActivityRunAsync(target.Name, run, cancellationToken).ConfigureAwait(false);
        }
    }

    private ActivityRun TakeRun()
    {
        var run = new ActivityRun(_pending, new Dictionary<int, SessionKey>(_newKeys), _sampler.TakeNewQueries());
        _pending = [];
        _newKeys.Clear();
        return run;
    }

    private int KeyOf(SessionKey key)
    {
        if (!_ids.TryGetValue(key, out var id))
        {
            id = _nextId++;
            _ids[key] = id;
            _keys[id] = key;
            _newKeys[id] = key;
        }

        return id;
    }
}
