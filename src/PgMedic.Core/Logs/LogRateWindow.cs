namespace PgMedic.Core.Logs;

/// <summary>
/// Hits per kind over the last minute, by the time they arrived (not the time written in the line: a
/// backlog read at start-up is history, not a rate). Sixty one-second slots reused in a ring, so memory
/// does not grow with the input.
/// </summary>
internal sealed class LogRateWindow(int kinds)
{
    private const int Slots = 60;

    private readonly long[] _second = new long[Slots];
    private readonly long[,] _counts = new long[Slots, kinds];

    public void Add(int kind, DateTimeOffset now)
    {
        var second = now.ToUnixTimeSeconds();
        var slot = (int)(second % Slots);
        if (_second[slot] != second)
        {
            for (var k = 0; k < _counts.GetLength(1); k++)
            {
                _counts[slot, k] = 0;
            }

            _second[slot] = second;
        }

        _counts[slot, kind]++;
    }

    /// <summary>Hits of <paramref name="kind"/> that arrived in the minute up to <paramref name="now"/>.</summary>
    public long LastMinute(int kind, DateTimeOffset now)
    {
        var second = now.ToUnixTimeSeconds();
        long total = 0;
        for (var slot = 0; slot < Slots; slot++)
        {
            var age = second - _second[slot];
            if (age is >= 0 and < Slots)
            {
                total += _counts[slot, kind];
            }
        }

        return total;
    }
}
