using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;

namespace PgMedic.Guard.Tests.Metrics;

[Collection(GuardSandboxCollection.Name)]
public sealed class GuardMetricsTests(GuardSandboxFixture fixture)
{
    [Fact]
    public async Task Meter_CheckoutHoldLeakReturn_PublishedUnderOpenTelemetryNames()
    {
        const string Pool = "metrics-pool";
        var recorded = new ConcurrentQueue<(string Instrument, double Value, string? State)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "PgMedic.Guard")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? pool = null;
            string? state = null;
            foreach (var tag in tags)
            {
                pool = tag.Key == "db.client.connection.pool.name" ? tag.Value as string : pool;
                state = tag.Key == "db.client.connection.state" ? tag.Value as string : state;
            }

            if (pool == Pool)
            {
                recorded.Enqueue((instrument.Name, value, state));
            }
        }

        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        var time = new FakeTimeProvider();
        await using var guard = Guards.Create(fixture.Sandbox, Pool, o => (o.PoolSize, o.MaxOverflow, o.LeakThreshold) = (3, 2, TimeSpan.FromSeconds(1)), time);

        var connection = await guard.OpenConnectionAsync();
        time.Advance(TimeSpan.FromSeconds(2));
        listener.RecordObservableInstruments();
        await connection.DisposeAsync();

        Assert.Contains(("db.client.connection.count", 1.0, "used"), recorded);
        Assert.Contains(("db.client.connection.count", 0.0, "idle"), recorded);
        Assert.Contains(("db.client.connection.max", 5.0, null), recorded);
        Assert.Contains(("db.client.connection.pending_requests", 0.0, null), recorded);
        Assert.Contains(("db.client.connection.pgmedic.leaks", 1.0, null), recorded);
        Assert.Contains(recorded, r => r.Instrument == "db.client.connection.wait_time");
        Assert.Contains(("db.client.connection.use_time", 2.0, null), recorded);
    }
}
