namespace PgMedic.Core.SessionHistory;

/// <summary>
/// What a client session is counted by in the active session history: its state, what it waits on, who
/// and where it is, and what it runs (the fingerprint of its query; null for idle sessions, whose last
/// query says nothing about what they hold).
/// </summary>
public sealed record SessionKey(
    string State,
    string? WaitEventType,
    string? WaitEvent,
    string? Application,
    string? User,
    string? ClientAddress,
    string? Database,
    long? Fingerprint);

/// <summary>How many sessions of one key a sample counted (<see cref="Sum"/> over its merged samples and the <see cref="Peak"/> of them).</summary>
/// <param name="Key">The key's number in the target's dictionary of keys.</param>
public readonly record struct KeyCount(int Key, int Sum, int Peak);

/// <summary>One session kept whole in a sample: the longest-held, and every one in a lock chain.</summary>
/// <param name="Key">The key's number in the target's dictionary.</param>
/// <param name="BlockedBy">The sessions it waits for (the lock tree's edges).</param>
public sealed record SampledSession(int Pid, int Key, double? StateAgeSeconds, double? TransactionAgeSeconds, double? QueryAgeSeconds, IReadOnlyList<int> BlockedBy);

/// <summary>
/// One sample of a target's client sessions, or several merged (<see cref="Merged"/> &gt; 1 after downsampling:
/// counts are then sums over the merged samples, and the kept sessions the longest-held seen in them).
/// </summary>
public sealed record ActivitySample(DateTimeOffset At, int Merged, IReadOnlyList<KeyCount> Counts, IReadOnlyList<SampledSession> Sessions)
{
    public int ClientBackends => Merged == 0 ? 0 : (int)Math.Round((double)Counts.Sum(c => c.Sum) / Merged);
}
