namespace PgMedic.Core.SessionHistory;

/// <summary>Builds an <see cref="ActivityMoment"/> from stored samples and the target's dictionaries.</summary>
public static class ActivityMomentBuilder
{
    /// <summary>Sessions listed in an answer at most (the lock tree's are always there).</summary>
    public const int MaxSessions = 50;

    /// <summary>
    /// The sample for a moment: the latest at or before it, else the first after it, if within
    /// <paramref name="tolerance"/>; null when none is that close.
    /// </summary>
    public static ActivitySample? Nearest(IReadOnlyList<ActivitySample> samples, DateTimeOffset at, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var before = samples.Where(s => s.At <= at).MaxBy(s => s.At);
        if (before is not null && at - before.At <= tolerance)
        {
            return before;
        }

        var after = samples.Where(s => s.At > at).MinBy(s => s.At);
        return after is not null && after.At - at <= tolerance ? after : null;
    }

    public static ActivityMoment Build(string target, DateTimeOffset at, IReadOnlyList<ActivitySample> samples, IReadOnlyDictionary<int, SessionKey> keys, IReadOnlyDictionary<long, string> queries)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(queries);
        if (samples.Count == 0)
        {
            return new ActivityMoment(target, at, at, at, 0, false, 0, 0, [], [], [], [], [], [], [], [], []);
        }

        var merged = samples.Sum(s => s.Merged);
        SessionKey KeyOf(int id) => keys.TryGetValue(id, out var k) ? k : new SessionKey("unknown", null, null, null, null, null, null, null);

        // Per sample, a key's sessions: exact for a raw sample, its peak for a merged minute.
        List<ActivityCount> Roll(Func<SessionKey, string?> name)
        {
            var sums = new Dictionary<string, long>(StringComparer.Ordinal);
            var peaks = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var sample in samples)
            {
                foreach (var group in sample.Counts.GroupBy(c => name(KeyOf(c.Key)) ?? string.Empty))
                {
                    sums[group.Key] = sums.GetValueOrDefault(group.Key) + group.Sum(c => c.Sum);
                    peaks[group.Key] = Math.Max(peaks.GetValueOrDefault(group.Key), group.Sum(c => c.Peak));
                }
            }

            return sums.Select(kv => new ActivityCount(kv.Key, Average(kv.Value, merged), peaks[kv.Key]))
                .OrderByDescending(c => c.Sessions).ThenBy(c => c.Name, StringComparer.Ordinal).ToList();
        }

        var total = Roll(_ => "all").FirstOrDefault();
        var waits = Roll(k => k.WaitEventType is null ? null : $"{k.WaitEventType}\u001f{k.WaitEvent}")
            .Where(c => c.Name.Length > 0)
            .Select(c => c.Name.Split('\u001f') is var parts ? new WaitEventCount(parts[0], parts[1], c.Sessions, c.Peak) : null!)
            .ToList();

        var holders = samples.SelectMany(s => s.Counts)
            .GroupBy(c => (KeyOf(c.Key).Application ?? string.Empty, KeyOf(c.Key).Fingerprint))
            .Select(g =>
            {
                var byState = g.GroupBy(c => KeyOf(c.Key).State, StringComparer.Ordinal).ToDictionary(s => s.Key, s => Average(s.Sum(c => c.Sum), merged), StringComparer.Ordinal);
                var peak = samples.Max(s => s.Counts.Where(c => (KeyOf(c.Key).Application ?? string.Empty) == g.Key.Item1 && KeyOf(c.Key).Fingerprint == g.Key.Fingerprint).Sum(c => c.Peak));
                return new HolderGroup(
                    g.Key.Item1,
                    g.Key.Fingerprint is { } f ? QueryFingerprint.Format(f) : null,
                    g.Key.Fingerprint is { } fp && queries.TryGetValue(fp, out var text) ? text : null,
                    Average(g.Sum(c => c.Sum), merged),
                    peak,
                    byState);
            })
            .OrderByDescending(h => h.Sessions).ThenBy(h => h.Application, StringComparer.Ordinal)
            .ToList();

        MomentSession View(SampledSession s, DateTimeOffset seen)
        {
            var k = KeyOf(s.Key);
            return new MomentSession(s.Pid, seen, k.State, k.WaitEventType, k.WaitEvent, k.Application, k.User, k.ClientAddress, k.Database,
                k.Fingerprint is { } f ? QueryFingerprint.Format(f) : null,
                k.Fingerprint is { } fp && queries.TryGetValue(fp, out var text) ? text : null,
                s.StateAgeSeconds, s.TransactionAgeSeconds, s.QueryAgeSeconds, s.BlockedBy);
        }

        var chained = samples.MaxBy(s => s.Sessions.Count(x => x.BlockedBy.Count > 0))!;
        var tree = Tree(chained.Sessions.Select(s => View(s, chained.At)).ToList());
        var treePids = Flatten(tree).Select(n => n.Pid).ToHashSet();
        var sessions = samples.SelectMany(s => s.Sessions.Select(x => (Session: x, s.At)))
            .GroupBy(x => x.Session.Pid)
            .Select(g => g.MaxBy(x => Held(x.Session)))
            .OrderByDescending(x => Held(x.Session))
            .Select(x => View(x.Session, x.At))
            .Where(x => !treePids.Contains(x.Pid))
            .Take(MaxSessions)
            .ToList();
        var inTree = chained.Sessions.Where(s => treePids.Contains(s.Pid)).Select(s => View(s, chained.At));

        return new ActivityMoment(
            target,
            at,
            samples.Min(s => s.At),
            samples.Max(s => s.At),
            samples.Count,
            samples.Any(s => s.Merged > 1),
            total?.Sessions ?? 0,
            total?.Peak ?? 0,
            Roll(k => k.State),
            waits,
            Roll(k => k.Application),
            Roll(k => k.User),
            Roll(k => k.ClientAddress),
            Roll(k => k.Database),
            holders,
            [.. inTree, .. sessions],
            tree);
    }

    /// <summary>Roots are sessions others wait for that wait for nobody kept (the lock holders); each with its waiters below it.</summary>
    public static IReadOnlyList<LockNode> Tree(IReadOnlyList<MomentSession> sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        var byPid = sessions.GroupBy(s => s.Pid).ToDictionary(g => g.Key, g => g.First());
        var waitersOf = sessions.SelectMany(s => s.BlockedBy.Select(b => (Blocker: b, Waiter: s.Pid))).GroupBy(e => e.Blocker).ToDictionary(g => g.Key, g => g.Select(e => e.Waiter).Distinct().Order().ToList());
        if (waitersOf.Count == 0)
        {
            return [];
        }

        var roots = waitersOf.Keys.Where(b => !byPid.TryGetValue(b, out var s) || s.BlockedBy.Count == 0).Order().ToList();
        LockNode Node(int pid, HashSet<int> seen) =>
            new(pid, byPid.GetValueOrDefault(pid), seen.Add(pid) ? waitersOf.GetValueOrDefault(pid, []).Select(w => Node(w, seen)).ToList() : []);
        var seen = new HashSet<int>();
        return roots.Select(r => Node(r, seen)).ToList();
    }

    private static IEnumerable<LockNode> Flatten(IEnumerable<LockNode> nodes) => nodes.SelectMany(n => new[] { n }.Concat(Flatten(n.Waiters)));

    private static double Held(SampledSession s) => s.TransactionAgeSeconds ?? s.QueryAgeSeconds ?? 0;

    private static double Average(long sum, int samples) => samples == 0 ? 0 : Math.Round((double)sum / samples, 2);
}
