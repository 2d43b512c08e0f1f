namespace PgMedic.Core.SessionHistory;

/// <summary>
/// Thins samples to one a minute: the counts of a minute summed (with each key's peak), and its sessions —
/// the lock tree of the sample that had the most waiters, and the longest-held sessions seen in the minute.
/// </summary>
public static class ActivityDownsampler
{
    public static IReadOnlyList<ActivitySample> PerMinute(IEnumerable<ActivitySample> samples, int top)
    {
        ArgumentNullException.ThrowIfNull(samples);
        return samples
            .GroupBy(s => new DateTimeOffset(s.At.UtcTicks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero))
            .Select(minute => Merge(minute.Key, minute.ToList(), top))
            .OrderBy(s => s.At)
            .ToList();
    }

    public static ActivitySample Merge(DateTimeOffset at, IReadOnlyList<ActivitySample> samples, int top)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var counts = samples.SelectMany(s => s.Counts)
            .GroupBy(c => c.Key)
            .Select(g => new KeyCount(g.Key, g.Sum(c => c.Sum), g.Max(c => c.Peak)))
            .OrderBy(c => c.Key)
            .ToList();
        var chain = samples.MaxBy(s => s.Sessions.Count(x => x.BlockedBy.Count > 0)) is { } worst && worst.Sessions.Any(x => x.BlockedBy.Count > 0)
            ? worst.Sessions.Where(x => x.BlockedBy.Count > 0 || worst.Sessions.Any(w => w.BlockedBy.Contains(x.Pid))).ToList()
            : [];
        var chainPids = chain.Select(x => x.Pid).ToHashSet();
        var longest = samples.SelectMany(s => s.Sessions)
            .Where(x => !chainPids.Contains(x.Pid) && x.BlockedBy.Count == 0)
            .GroupBy(x => x.Pid)
            .Select(g => g.MaxBy(Held)!)
            .OrderByDescending(Held)
            .Take(top);
        return new ActivitySample(at, samples.Sum(s => s.Merged), counts, [.. chain, .. longest]);
    }

    private static double Held(SampledSession s) => s.TransactionAgeSeconds ?? s.QueryAgeSeconds ?? 0;
}
