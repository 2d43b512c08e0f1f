using System.Diagnostics.Metrics;

namespace PgMedic.Guard.Statistics;

/// <summary>
/// Reads how many idle physical connections Npgsql's pools keep. Npgsql has no public pool
/// statistics (npgsql #1962, #4884) but publishes them on its "Npgsql" meter, so this listens to
/// that one instrument and collects it on demand only.
/// </summary>
internal static class NpgsqlIdleCounts
{
    private const string NpgsqlMeter = "Npgsql";
    private const string CountInstrument = "db.client.connection.count";
    private const string PoolNameTag = "db.client.connection.pool.name";
    private const string StateTag = "db.client.connection.state";

    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, int> Collected = new(StringComparer.Ordinal);
    private static readonly MeterListener Listener = CreateListener();

    /// <summary>Idle connections of the Npgsql pools with these names, summed.</summary>
    public static int Read(IReadOnlyCollection<string> poolNames)
    {
        lock (Gate)
        {
            Collected.Clear();
            Listener.RecordObservableInstruments();
            var idle = 0;
            foreach (var name in poolNames)
            {
                idle += Collected.GetValueOrDefault(name);
            }

            return idle;
        }
    }

    private static MeterListener CreateListener()
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == NpgsqlMeter && instrument.Name == CountInstrument)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<int>(OnMeasurement);
        listener.Start();
        return listener;
    }

    // Called under Gate, from RecordObservableInstruments.
    private static void OnMeasurement(Instrument instrument, int value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? pool = null;
        var idle = false;
        foreach (var tag in tags)
        {
            if (tag.Key == PoolNameTag)
            {
                pool = tag.Value as string;
            }
            else if (tag.Key == StateTag)
            {
                idle = tag.Value as string == "idle";
            }
        }

        if (idle && pool is not null)
        {
            Collected[pool] = Collected.GetValueOrDefault(pool) + value;
        }
    }
}
