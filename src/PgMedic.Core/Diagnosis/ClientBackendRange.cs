using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Diagnosis;

/// <summary>
/// Client backends counted as far as the collector's role can see. Without <c>pg_read_all_stats</c>,
/// PostgreSQL shows other roles' sessions with only the PID, database, role and application: no
/// <c>backend_type</c>. Those rows are classified by what is left — a client backend always has a
/// database and a role, so a hidden row without one is a background process (autovacuum, the
/// launchers, a physical walsender) — and the rest are carried as a range, never dropped: each is a
/// client backend, or a background worker (a parallel worker looks exactly like its leader) or a
/// logical walsender. <c>max_worker_processes</c> and <c>max_wal_senders</c> cap how many of them can be
/// the latter, which keeps the range narrow on a busy server.
/// </summary>
/// <param name="Min">The fewest client backends there can be.</param>
/// <param name="Max">The most there can be; equal to <paramref name="Min"/> when every row could be told.</param>
/// <param name="Unclassified">Hidden rows that may or may not be client backends.</param>
/// <param name="HiddenBackground">Hidden rows told to be background processes by their missing database or role.</param>
public sealed record ClientBackendRange(int Min, int Max, int Unclassified, int HiddenBackground)
{
    public bool Exact => Min == Max;

    public static ClientBackendRange From(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var own = snapshot.CollectorCounted ? 1 : 0;
        var seen = snapshot.Sessions.Count(s => s.IsClientBackend) + own;
        var hidden = snapshot.Sessions.Where(s => s.IsTypeHidden).ToList();
        var candidates = hidden.Where(MayBeClientBackend).ToList();
        var notClientAtMost = AtMost(snapshot.Server.MaxWorkerProcesses, candidates.Count)
            + AtMost(snapshot.Server.MaxWalSenders, candidates.Count(s => s.CanReplicate));
        return new ClientBackendRange(
            seen + Math.Max(0, candidates.Count - notClientAtMost),
            seen + candidates.Count,
            candidates.Count,
            hidden.Count - candidates.Count);
    }

    /// <summary>Whether a hidden row could be a client backend: only one with both a database and a role.</summary>
    public static bool MayBeClientBackend(SessionInfo session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.IsTypeHidden && session.Database is not null && session.User is not null;
    }

    // An unread setting caps nothing: every candidate may then be a background worker.
    private static int AtMost(int? setting, int candidates) => Math.Min(setting ?? candidates, candidates);
}
