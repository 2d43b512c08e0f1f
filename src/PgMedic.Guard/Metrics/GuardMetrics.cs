using System.Diagnostics.Metrics;

namespace PgMedic.Guard.Metrics;

/// <summary>
/// The guard's one meter, with the OpenTelemetry names for connection pools. Gauges are observed
/// from the live guards when a collector asks; counters and histograms are recorded as things happen.
/// </summary>
internal static class GuardMetrics
{
    public const string MeterName = "PgMedic.Guard";
    public const string PoolNameTag = "db.client.connection.pool.name";
    public const string StateTag = "db.client.connection.state";

    private static readonly Meter Meter = new(MeterName, "1.0.0");
    private static readonly Lock Gate = new();
    private static readonly List<GuardedDataSource> Live = [];

    public static readonly Counter<long> Timeouts = Meter.CreateCounter<long>(
        "db.client.connection.timeouts",
        unit: "{timeout}",
        description: "Checkouts that timed out waiting for a free connection.");

    public static readonly Counter<long> Leaks = Meter.CreateCounter<long>(
        "db.client.connection.pgmedic.leaks",
        unit: "{connection}",
        description: "Checkouts held longer than the leak threshold.");

    public static readonly Histogram<double> WaitTime = Meter.CreateHistogram<double>(
        "db.client.connection.wait_time",
        unit: "s",
        description: "The time it took to obtain an open connection from the pool.");

    public static readonly Histogram<double> UseTime = Meter.CreateHistogram<double>(
        "db.client.connection.use_time",
        unit: "s",
        description: "The time between borrowing a connection and returning it.");

    static GuardMetrics()
    {
        Meter.CreateObservableUpDownCounter(
            "db.client.connection.count",
            ObserveCount,
            unit: "{connection}",
            description: "Connections that are idle or used.");
        Meter.CreateObservableUpDownCounter(
            "db.client.connection.max",
            () => Observe(g => g.MaxConnectionsNow),
            unit: "{connection}",
            description: "The most connections that may be checked out (pool size + overflow).");
        Meter.CreateObservableUpDownCounter(
            "db.client.connection.pending_requests",
            () => Observe(g => g.WaitingNow),
            unit: "{request}",
            description: "Checkouts waiting for a free connection.");
    }

    public static void Register(GuardedDataSource guard)
    {
        lock (Gate)
        {
            Live.Add(guard);
        }
    }

    public static void Unregister(GuardedDataSource guard)
    {
        lock (Gate)
        {
            Live.Remove(guard);
        }
    }

    public static KeyValuePair<string, object?> PoolTag(string name) => new(PoolNameTag, name);

    private static List<Measurement<long>> Observe(Func<GuardedDataSource, int> read)
    {
        lock (Gate)
        {
            return Live.Select(g => new Measurement<long>(read(g), PoolTag(g.Name))).ToList();
        }
    }

    private static List<Measurement<long>> ObserveCount()
    {
        lock (Gate)
        {
            var measurements = new List<Measurement<long>>(Live.Count * 2);
            foreach (var guard in Live)
            {
                var statistics = guard.Statistics;
                measurements.Add(new Measurement<long>(statistics.Idle, PoolTag(guard.Name), new(StateTag, "idle")));
                measurements.Add(new Measurement<long>(statistics.CheckedOut, PoolTag(guard.Name), new(StateTag, "used")));
            }

            return measurements;
        }
    }
}
