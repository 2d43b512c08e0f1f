using PgMedic.Guard.Holders;
using PgMedic.Guard.Logging;
using PgMedic.Guard.Metrics;
using PgMedic.Guard.Statistics;

namespace PgMedic.Guard;

public sealed partial class GuardedDataSource
{
    /// <summary>The pool now: size, checked out, overflow, idle, waiting, timeouts, connect failures, leaks.</summary>
    public GuardStatistics Statistics
    {
        get
        {
            GuardStatistics statistics;
            string[] sourceNames;
            lock (_lock)
            {
                statistics = new GuardStatistics
                {
                    Name = Name,
                    PoolSize = _poolSize,
                    MaxOverflow = _maxOverflow,
                    CheckedOut = _holders.Count,
                    Overflow = Math.Max(0, _holders.Count - _poolSize),
                    Idle = 0,
                    Waiting = _waiters.Count,
                    Timeouts = _timeouts,
                    Leaks = _leaks,
                    Checkouts = Interlocked.Read(ref _checkouts),
                    ConnectFailures = Interlocked.Read(ref _connectFailures),
                    PrePingReplacements = Interlocked.Read(ref _prePingReplacements),
                    Maintenance = _maintenance,
                };
                sourceNames = [.. _sourceNames];
            }

            // Read outside the lock: it calls into Npgsql, which takes its own.
            return statistics with { Idle = NpgsqlIdleCounts.Read(sourceNames) };
        }
    }

    /// <summary>Every checked-out connection, oldest first: call site, age, backend PID and stack trace if captured.</summary>
    public IReadOnlyList<ConnectionHolder> Holders => HoldersOldestFirst(int.MaxValue);

    internal IReadOnlyList<ConnectionHolder> HoldersOldestFirst(int limit)
    {
        var now = _time.GetTimestamp();
        var leases = new List<(CheckoutLease Lease, long Id, int Pid, long Admitted, bool Reported)>();
        lock (_lock)
        {
            for (var node = _holders.First; node is not null && leases.Count < limit; node = node.Next)
            {
                var lease = node.Value;
                leases.Add((lease, lease.Id, lease.BackendPid, lease.AdmittedTimestamp, lease.Reported));
            }
        }

        var utcNow = _time.GetUtcNow();
        return leases.Select(l =>
        {
            var age = _time.GetElapsedTime(l.Admitted, now);
            return new ConnectionHolder(l.Id, l.Pid, l.Lease.CallSite, utcNow - age, age, l.Reported, l.Lease.StackText);
        }).ToList();
    }

    // Runs on the leak timer. The holder list is in checkout order, so the scan stops at the first
    // holder younger than the threshold; each leak is reported once.
    private void ScanForLeaks()
    {
        var threshold = _options.LeakThreshold;
        var now = _time.GetTimestamp();
        List<(CheckoutLease Lease, TimeSpan Age)>? found = null;
        lock (_lock)
        {
            for (var node = _holders.First; node is not null; node = node.Next)
            {
                var age = _time.GetElapsedTime(node.Value.AdmittedTimestamp, now);
                if (age < threshold)
                {
                    break;
                }

                if (!node.Value.Reported)
                {
                    node.Value.Reported = true;
                    _leaks++;
                    (found ??= []).Add((node.Value, age));
                }
            }
        }

        foreach (var (lease, age) in found ?? [])
        {
            GuardMetrics.Leaks.Add(1, _poolTag);
            var stack = lease.StackText is { } text ? Environment.NewLine + text : string.Empty;
            GuardLog.LeakSuspected(_logger, Name, lease.Id, lease.CallSite.Member, lease.CallSite.File, lease.CallSite.Line, lease.BackendPid, age.TotalSeconds, threshold.TotalSeconds, stack);
        }
    }
}
