using PgMedic.Core.Snapshots;

namespace PgMedic.Core.SessionHistory;

/// <summary>
/// Turns one read of the client sessions into an <see cref="ActivitySample"/>: sessions counted per
/// <see cref="SessionKey"/>, numbered by <paramref name="keyOf"/> (the target's dictionary), and the sessions
/// kept whole — every one in a lock chain (up to 50), then the longest idle in a transaction and the
/// longest-running, up to <paramref name="top"/>. Fingerprints are cached per session and query start, so
/// a query is normalised once however many samples see it.
/// </summary>
public sealed class ActivitySampler(int top)
{
    /// <summary>Lock chains are kept whole up to this many sessions, whatever <c>top</c> says: the tree is the evidence.</summary>
    public const int MaxChainSessions = 50;

    private Dictionary<(int Pid, long QueryStart), long?> _fingerprints = [];
    private Dictionary<(int Pid, long QueryStart), long?> _next = [];

    /// <summary>Normalised text of every fingerprint seen since the last <see cref="TakeNewQueries"/>.</summary>
    private readonly Dictionary<long, string> _newQueries = [];

    public ActivitySample Sample(DateTimeOffset at, DateTimeOffset serverNow, IEnumerable<SessionInfo> sessions, Func<SessionKey, int> keyOf)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(keyOf);
        var counts = new Dictionary<int, int>();
        var candidates = new List<(SessionInfo Session, int Key)>();
        foreach (var s in sessions)
        {
            if (!s.IsClientBackend)
            {
                continue;
            }

            var key = keyOf(new SessionKey(s.State ?? "unknown", s.WaitEventType, s.WaitEvent, s.ApplicationName, s.User, s.ClientAddress, s.Database, Fingerprint(s)));
            counts[key] = counts.GetValueOrDefault(key) + 1;
            if (s.State is not null and not SessionStates.Idle || s.BlockedBy.Count > 0)
            {
                candidates.Add((s, key));
            }
        }

        (_fingerprints, _next) = (_next, _fingerprints);
        _next.Clear();

        var blockers = candidates.SelectMany(c => c.Session.BlockedBy).ToHashSet();
        var kept = candidates
            .Where(c => c.Session.BlockedBy.Count > 0 || blockers.Contains(c.Session.Pid))
            .Take(MaxChainSessions)
            .Concat(candidates
                .Where(c => c.Session.BlockedBy.Count == 0 && !blockers.Contains(c.Session.Pid))
                .OrderByDescending(c => Held(c.Session, serverNow))
                .Take(top))
            .Select(c => new SampledSession(c.Session.Pid, c.Key, Age(c.Session.StateAge(serverNow)), Age(c.Session.TransactionAge(serverNow)), Age(c.Session.QueryAge(serverNow)), c.Session.BlockedBy))
            .ToList();
        return new ActivitySample(at, 1, counts.OrderBy(c => c.Key).Select(c => new KeyCount(c.Key, c.Value, c.Value)).ToList(), kept);
    }

    /// <summary>The normalised text of fingerprints first seen since the last call, to keep beside the history.</summary>
    public IReadOnlyDictionary<long, string> TakeNewQueries()
    {
        var taken = new Dictionary<long, string>(_newQueries);
        _newQueries.Clear();
        return taken;
    }

    public IReadOnlyDictionary<long, string> PeekNewQueries() => new Dictionary<long, string>(_newQueries);

    /// <summary>How long a session has held its connection busy: its transaction, else its query.</summary>
    private static TimeSpan Held(SessionInfo s, DateTimeOffset now) => s.TransactionAge(now) ?? s.QueryAge(now) ?? TimeSpan.Zero;

    private static double? Age(TimeSpan? age) => age is { } a ? Math.Round(a.TotalSeconds, 1) : null;

    private long? Fingerprint(SessionInfo s)
    {
        if (s.State == SessionStates.Idle || s.Query is not { Length: > 0 } query)
        {
            return null;
        }

        var cacheKey = (s.Pid, s.QueryStart?.UtcTicks ?? 0);
        if (!_fingerprints.TryGetValue(cacheKey, out var fingerprint))
        {
            var normalized = QueryFingerprint.Normalize(query);
            fingerprint = QueryFingerprint.Hash(normalized);
            _newQueries.TryAdd(fingerprint.Value, normalized);
        }

        _next[cacheKey] = fingerprint;
        return fingerprint;
    }
}
