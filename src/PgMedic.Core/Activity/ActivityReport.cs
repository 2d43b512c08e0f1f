using PgMedic.Core.Common;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Activity;

/// <summary>
/// The runbook's step 3 listing (<c>SELECT pid, usename, application_name, client_addr, state, state_change, query
/// FROM pg_stat_activity ORDER BY state_change</c>) with ages worked out. The shape of <c>pgmedic activity --format json</c>,
/// documented in docs/commands/activity.md.
/// </summary>
/// <param name="Total">Sessions in the snapshot before filtering (every backend but PgMedic's own).</param>
/// <param name="LockWaitClock">What <see cref="ActivityRow.LockWaitAgeSeconds"/> is measured from: <c>waitstart</c> (PostgreSQL 14+) or <c>query_start</c>.</param>
/// <param name="LockTrees">Every lock chain as a tree (head at the root, each waiter under the session it waits for), whatever the filters.</param>
public sealed record ActivityReport(
    string Target,
    DateTimeOffset TakenAt,
    ActivityFilterSummary Filter,
    int Total,
    int Count,
    IReadOnlyList<ActivityRow> Sessions,
    Visibility Visibility,
    LockWaitClock LockWaitClock,
    IReadOnlyList<LockTreeNode> LockTrees)
{
    /// <summary>The command's exit code: a listing always exits 0 (a connection failure prints no report).</summary>
    public ExitCode ExitCode => ExitCode.Ok;

    /// <summary>The sessions of <paramref name="snapshot"/> that match, oldest <c>state_change</c> first (no state_change last).</summary>
    public static ActivityReport From(string target, Snapshot snapshot, ActivityFilter filter)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(filter);
        var now = snapshot.TakenAt;
        var rows = snapshot.Sessions
            .Where(s => filter.Matches(s, now))
            .OrderBy(s => s.StateChange is null)
            .ThenBy(s => s.StateChange)
            .ThenBy(s => s.Pid)
            .Select(s => ActivityRow.From(s, now))
            .ToList();
        return new ActivityReport(target, now, ActivityFilterSummary.From(filter), snapshot.Sessions.Count, rows.Count, rows, snapshot.Visibility, snapshot.LockWaitClock, LockGraph.Trees(snapshot.Sessions));
    }
}

/// <summary>The filters as JSON shows them.</summary>
public sealed record ActivityFilterSummary(
    IReadOnlyList<string> States,
    string? Database,
    string? Application,
    string? User,
    double? MinAgeSeconds,
    bool AllBackends)
{
    public static ActivityFilterSummary From(ActivityFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return new(filter.States, filter.Database, filter.Application, filter.User, filter.MinAge?.TotalSeconds, filter.AllBackends);
    }
}

/// <summary>
/// One session of the listing; ages are in seconds as of the snapshot's server time, null when the server gave no timestamp.
/// <see cref="LockWaitAgeSeconds"/> is how long it has waited for a lock (null when it waits for none).
/// </summary>
public sealed record ActivityRow(
    int Pid,
    string BackendType,
    string? Database,
    string? User,
    string? Application,
    string? ClientAddress,
    int? ClientPort,
    string? State,
    DateTimeOffset? StateChange,
    double? StateAgeSeconds,
    DateTimeOffset? TransactionStart,
    double? TransactionAgeSeconds,
    DateTimeOffset? QueryStart,
    double? QueryAgeSeconds,
    string? WaitEventType,
    string? WaitEvent,
    double? LockWaitAgeSeconds,
    IReadOnlyList<int> BlockedBy,
    string? Query)
{
    public static ActivityRow From(SessionInfo session, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(session);
        return new ActivityRow(
            session.Pid,
            session.BackendType,
            session.Database,
            session.User,
            session.ApplicationName,
            session.ClientAddress,
            session.ClientPort,
            session.State,
            session.StateChange,
            Seconds(session.StateAge(now)),
            session.TransactionStart,
            Seconds(session.TransactionAge(now)),
            session.QueryStart,
            Seconds(session.QueryAge(now)),
            session.WaitEventType,
            session.WaitEvent,
            Seconds(session.LockWaitAge(now)),
            session.BlockedBy,
            session.Query);
    }

    private static double? Seconds(TimeSpan? age) => age is { } a ? Math.Round(a.TotalSeconds, 3) : null;
}
