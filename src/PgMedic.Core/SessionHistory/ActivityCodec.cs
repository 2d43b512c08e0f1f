using System.IO.Compression;

namespace PgMedic.Core.SessionHistory;

/// <summary>
/// A run of consecutive samples as stored: variable-length integers (key numbers as gaps, ages in tenths of
/// a second), the whole run deflated — consecutive samples repeat most of their counts, which is what
/// the compression takes away. About 1 KiB a minute for 500 sessions sampled every second (docs/benchmarks.md).
/// </summary>
public static class ActivityCodec
{
    private const byte Version = 1;

    public static byte[] Encode(IReadOnlyList<ActivitySample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        using var raw = new MemoryStream();
        raw.WriteByte(Version);
        var start = samples.Count > 0 ? samples[0].At : default;
        Write(raw, samples.Count);
        Write(raw, start.ToUnixTimeMilliseconds());
        foreach (var sample in samples)
        {
            Write(raw, (sample.At - start).Ticks / TimeSpan.TicksPerMillisecond);
            Write(raw, sample.Merged);
            Write(raw, sample.Counts.Count);
            var previous = 0;
            foreach (var count in sample.Counts)
            {
                Write(raw, count.Key - previous);
                previous = count.Key;
                Write(raw, count.Sum);
                if (sample.Merged > 1)
                {
                    Write(raw, count.Peak);
                }
            }

            Write(raw, sample.Sessions.Count);
            foreach (var s in sample.Sessions)
            {
                Write(raw, s.Pid);
                Write(raw, s.Key);
                WriteAge(raw, s.StateAgeSeconds);
                WriteAge(raw, s.TransactionAgeSeconds);
                WriteAge(raw, s.QueryAgeSeconds);
                Write(raw, s.BlockedBy.Count);
                foreach (var pid in s.BlockedBy)
                {
                    Write(raw, pid);
                }
            }
        }

        using var packed = new MemoryStream();
        using (var deflate = new DeflateStream(packed, CompressionLevel.Optimal, leaveOpen: true))
        {
            raw.Position = 0;
            raw.CopyTo(deflate);
        }

        return packed.ToArray();
    }

    /// <exception cref="InvalidDataException">Not a run this codec wrote.</exception>
    public static IReadOnlyList<ActivitySample> Decode(byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var deflate = new DeflateStream(new MemoryStream(body), CompressionMode.Decompress);
        using var raw = new MemoryStream();
        deflate.CopyTo(raw);
        raw.Position = 0;
        if (raw.ReadByte() != Version)
        {
            throw new InvalidDataException("not an activity sample run of this version");
        }

        var count = (int)Read(raw);
        var start = DateTimeOffset.FromUnixTimeMilliseconds(Read(raw));
        var samples = new List<ActivitySample>(count);
        for (var i = 0; i < count; i++)
        {
            var at = start.AddMilliseconds(Read(raw));
            var merged = (int)Read(raw);
            var groups = (int)Read(raw);
            var counts = new List<KeyCount>(groups);
            var key = 0;
            for (var g = 0; g < groups; g++)
            {
                key += (int)Read(raw);
                var sum = (int)Read(raw);
                counts.Add(new KeyCount(key, sum, merged > 1 ? (int)Read(raw) : sum));
            }

            var kept = (int)Read(raw);
            var sessions = new List<SampledSession>(kept);
            for (var s = 0; s < kept; s++)
            {
                var pid = (int)Read(raw);
                var sessionKey = (int)Read(raw);
                var state = ReadAge(raw);
                var transaction = ReadAge(raw);
                var query = ReadAge(raw);
                var blockedBy = new int[(int)Read(raw)];
                for (var b = 0; b < blockedBy.Length; b++)
                {
                    blockedBy[b] = (int)Read(raw);
                }

                sessions.Add(new SampledSession(pid, sessionKey, state, transaction, query, blockedBy));
            }

            samples.Add(new ActivitySample(at, merged, counts, sessions));
        }

        return samples;
    }

    private static void WriteAge(Stream stream, double? seconds) => Write(stream, seconds is { } s ? (long)Math.Round(Math.Max(0, s) * 10) + 1 : 0);

    private static double? ReadAge(Stream stream) => Read(stream) is var v && v == 0 ? null : (v - 1) / 10.0;

    private static void Write(Stream stream, long value)
    {
        // Zig-zag, so the rare negative (a clock step back) stays short too.
        var v = (ulong)((value << 1) ^ (value >> 63));
        while (v >= 0x80)
        {
            stream.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }

        stream.WriteByte((byte)v);
    }

    private static long Read(Stream stream)
    {
        ulong v = 0;
        var shift = 0;
        while (true)
        {
            var b = stream.ReadByte();
            if (b < 0 || shift > 63)
            {
                throw new InvalidDataException("an activity sample run ends early");
            }

            v |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                break;
            }

            shift += 7;
        }

        return (long)(v >> 1) ^ -(long)(v & 1);
    }
}
