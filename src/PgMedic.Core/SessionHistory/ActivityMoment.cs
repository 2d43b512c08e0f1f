namespace PgMedic.Core.SessionHistory;

/// <summary>Sessions of one kind: on average over the samples, and at the most.</summary>
public sealed record ActivityCount(string Name, double Sessions, int Peak);

public sealed record WaitEventCount(string WaitEventType, string WaitEvent, double Sessions, int Peak);

/// <summary>The sessions one application held running one statement (a fingerprint; null for idle sessions), by state.</summary>
public sealed record HolderGroup(string Application, string? Fingerprint, string? Query, double Sessions, int Peak, IReadOnlyDictionary<string, double> ByState);

/// <summary>A session kept whole by the sampler.</summary>
/// <param name="At">The sample it was seen in (the longest-held one when several).</param>
public sealed record MomentSession(
    int Pid,
    DateTimeOffset At,
    string State,
    string? WaitEventType,
    string? WaitEvent,
    string? Application,
    string? User,
    string? ClientAddress,
    string? Database,
    string? Fingerprint,
    string? Query,
    double? StateAgeSeconds,
    double? TransactionAgeSeconds,
    double? QueryAgeSeconds,
    IReadOnlyList<int> BlockedBy);

/// <summary>A lock tree: a session and those waiting for it; the root holds the lock.</summary>
public sealed record LockNode(int Pid, MomentSession? Session, IReadOnlyList<LockNode> Waiters);

/// <summary>
/// What the server was doing at a moment (one sample) or over a stretch (every sample in it): client
/// sessions by state, wait event, application, user, client and database, the holders by application and
/// statement, the sessions kept whole and the lock tree (docs/commands/history.md).
/// </summary>
/// <param name="At">The moment asked about.</param>
/// <param name="From">The first sample used.</param>
/// <param name="To">The last sample used.</param>
/// <param name="Downsampled">Some samples were thinned to one a minute: counts are averages over each minute and peaks their highest.</param>
public sealed record ActivityMoment(
    string Target,
    DateTimeOffset At,
    DateTimeOffset From,
    DateTimeOffset To,
    int Samples,
    bool Downsampled,
    double ClientBackends,
    int ClientBackendsPeak,
    IReadOnlyList<ActivityCount> ByState,
    IReadOnlyList<WaitEventCount> ByWaitEvent,
    IReadOnlyList<ActivityCount> ByApplication,
    IReadOnlyList<ActivityCount> ByUser,
    IReadOnlyList<ActivityCount> ByClientAddress,
    IReadOnlyList<ActivityCount> ByDatabase,
    IReadOnlyList<HolderGroup> Holders,
    IReadOnlyList<MomentSession> Sessions,
    IReadOnlyList<LockNode> LockTree);
