using System.Runtime.InteropServices;

namespace PgMedic.Core.Slo;

/// <summary>Connection attempts counted over some stretch of time, and how much of that time was observed.</summary>
/// <param name="ObservedSeconds">Time the counts cover; time nobody could observe (the monitor down, an endpoint unreachable) is neither good nor bad.</param>
public readonly record struct SloCounts(long Good, long Bad, double ObservedSeconds)
{
    public long Attempts => Good + Bad;

    /// <summary>Failed attempts as a share of all; null without attempts (no evidence either way).</summary>
    public double? FailureRatio => Attempts > 0 ? (double)Bad / Attempts : null;

    public static SloCounts operator +(SloCounts a, SloCounts b) => new(a.Good + b.Good, a.Bad + b.Bad, a.ObservedSeconds + b.ObservedSeconds);

    public SloCounts Add(SloCounts other) => this + other;
}

/// <summary>The attempts of one poll, or of one stored minute, counted at <paramref name="End"/>.</summary>
public readonly record struct SloEntry(DateTimeOffset End, SloCounts Counts);

/// <summary>
/// A target's connection attempts over its objective's window, in memory. Sums over a window count every
/// entry whose end lies in (now − window, now]. Exact per poll for the last 6 hours (the burn-rate alerts'
/// short windows and the 6-hour one), merged per minute up to 3 days and an hour (the 3-day alert), per
/// hour beyond that up to the objective's window: a 30-day objective holds about 6 h of polls, 4,400
/// minutes and 700 hours per target, whatever the poll interval. A merged bucket counts at its end, so
/// the oldest minute of a 3-day sum and the oldest hour of a 30-day sum count whole.
/// </summary>
public sealed class SloLedger(TimeSpan window)
{
    public static readonly TimeSpan ExactFor = TimeSpan.FromHours(6) + TimeSpan.FromMinutes(5);

    public static readonly TimeSpan MinutesFor = BurnRateWindow.Longest + TimeSpan.FromHours(1);

    private readonly Tier _exact = new(TimeSpan.Zero);
    private readonly Tier _minutes = new(TimeSpan.FromMinutes(1));
    private readonly Tier _hours = new(TimeSpan.FromHours(1));

    /// <summary>The start of the first stretch ever observed (not trimmed with the entries): coverage is measured from here when it is inside the window.</summary>
    public DateTimeOffset? ObservedSince { get; private set; }

    public TimeSpan Window => window;

    /// <summary>Entries held now, all tiers (the memory this target's objective costs).</summary>
    public int Count => _exact.Count + _minutes.Count + _hours.Count;

    /// <summary>Adds one poll's attempts (or a restored minute's); entries come in time order.</summary>
    public void Add(SloEntry entry)
    {
        var start = entry.End - TimeSpan.FromSeconds(entry.Counts.ObservedSeconds);
        if (ObservedSince is null || start < ObservedSince)
        {
            ObservedSince = start;
        }

        _exact.Append(entry);
        Trim(entry.End);
    }

    /// <summary>Moves entries into coarser tiers as they age, and drops what left the window.</summary>
    public void Trim(DateTimeOffset now)
    {
        while (_exact.Oldest is { } e && e.End <= now - ExactFor)
        {
            _minutes.Merge(_exact.TakeOldest());
        }

        while (_minutes.Oldest is { } m && m.End <= now - MinutesFor)
        {
            _hours.Merge(_minutes.TakeOldest());
        }

        while (_hours.Oldest is { } h && h.End <= now - window)
        {
            _hours.TakeOldest();
        }
    }

    /// <summary>Everything counted in (now − span, now].</summary>
    public SloCounts Sum(DateTimeOffset now, TimeSpan span)
    {
        var from = now - span;
        var total = default(SloCounts);
        foreach (var tier in new[] { _exact, _minutes, _hours })
        {
            for (var i = tier.Count - 1; i >= 0; i--)
            {
                var entry = tier[i];
                if (entry.End <= from)
                {
                    return total;
                }

                if (entry.End <= now)
                {
                    total += entry.Counts;
                }
            }
        }

        return total;
    }

    /// <summary>Everything counted in (from, to].</summary>
    public SloCounts Between(DateTimeOffset from, DateTimeOffset to) => to <= from ? default : Sum(to, to - from);

    /// <summary>
    /// A ring of entries: they leave at the front and arrive at the back. Each is kept in 20 bytes (the end as UTC
    /// ticks, the counts as unsigned 32-bit numbers, the observed seconds as a float) and the ring grows only when
    /// full, so a tier holds little more than its span needs. A list with a moving head held up to four times that:
    /// 200 targets' ledgers were 141 MB after a day of 5 s polls, 188 MB after three; 32-byte entries 37 and 57 MB.
    /// Counts past 2³² − 1 in one poll or bucket go into further entries with the same end, which every sum adds.
    /// </summary>
    private sealed class Tier(TimeSpan bucket)
    {
        private Packed[] _items = new Packed[16];
        private int _head;

        public int Count { get; private set; }

        public SloEntry? Oldest => Count > 0 ? this[0] : null;

        public SloEntry this[int index] => _items[(_head + index) % _items.Length].Entry;

        public void Append(SloEntry entry)
        {
            var (good, bad, observed) = (Math.Max(0, entry.Counts.Good), Math.Max(0, entry.Counts.Bad), entry.Counts.ObservedSeconds);
            do
            {
                var (g, b) = (Math.Min(good, uint.MaxValue), Math.Min(bad, uint.MaxValue));
                Push(new Packed(entry.End.UtcTicks, (uint)g, (uint)b, (float)observed));
                (good, bad, observed) = (good - g, bad - b, 0);
            }
            while (good > 0 || bad > 0);
        }

        public SloEntry TakeOldest()
        {
            var entry = _items[_head].Entry;
            _head = (_head + 1) % _items.Length;
            Count--;
            return entry;
        }

        /// <summary>Adds an entry to the bucket that ends at or after it (a minute or an hour boundary).</summary>
        public void Merge(SloEntry entry)
        {
            var ticks = bucket.Ticks;
            var endTicks = entry.End.UtcTicks;
            var end = new DateTimeOffset((endTicks + ticks - 1) / ticks * ticks, TimeSpan.Zero);
            var last = (_head + Count - 1) % _items.Length;
            var (good, bad) = (Math.Max(0, entry.Counts.Good), Math.Max(0, entry.Counts.Bad));
            if (Count > 0 && _items[last].EndTicks == end.UtcTicks && _items[last].Good + good <= uint.MaxValue && _items[last].Bad + bad <= uint.MaxValue)
            {
                var merged = _items[last];
                _items[last] = merged with
                {
                    Good = merged.Good + (uint)good,
                    Bad = merged.Bad + (uint)bad,
                    ObservedSeconds = (float)(merged.ObservedSeconds + entry.Counts.ObservedSeconds),
                };
            }
            else
            {
                Append(new SloEntry(end, entry.Counts));
            }
        }

        private void Push(Packed packed)
        {
            if (Count == _items.Length)
            {
                // Half as large again, not twice: six hours of 5 s polls fill 94 % of the ring rather than 54 %.
                var larger = new Packed[_items.Length + (_items.Length / 2)];
                for (var i = 0; i < Count; i++)
                {
                    larger[i] = _items[(_head + i) % _items.Length];
                }

                (_items, _head) = (larger, 0);
            }

            _items[(_head + Count) % _items.Length] = packed;
            Count++;
        }
    }

    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private readonly record struct Packed(long EndTicks, uint Good, uint Bad, float ObservedSeconds)
    {
        public SloEntry Entry => new(new DateTimeOffset(EndTicks, TimeSpan.Zero), new SloCounts(Good, Bad, ObservedSeconds));
    }
}
