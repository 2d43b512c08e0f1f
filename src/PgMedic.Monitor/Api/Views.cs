using PgMedic.Core.Alerts;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Remediation;
using PgMedic.Core.Snapshots;
using PgMedic.Core.Statements;
using PgMedic.Monitor.History;
using PgMedic.Postgres.Remediation;

namespace PgMedic.Monitor.Api;

/// <summary>The runbook's health document, <c>{"status":"healthy","database":"connected"}</c>, with each target's own.</summary>
internal sealed record HealthView(string Status, string Database, IReadOnlyList<TargetHealthView> Targets);

/// <param name="Status"><c>healthy</c>, <c>stale</c> (connections work, but the monitor has no snapshot: see <paramref name="Detail"/>) or <c>unhealthy</c>.</param>
internal sealed record TargetHealthView(string Name, string Status, string Database, bool Lifeline, string? Detail);

/// <summary>The monitor's latest probe, timed as <c>pgmedic probe</c> times it.</summary>
/// <param name="ConnectMilliseconds">Opening the connection.</param>
/// <param name="QueryMilliseconds">The <c>SELECT 1</c> after it.</param>
/// <param name="ProbeMilliseconds">Both together: what an application waits for a fresh connection to answer (the history's <c>probeMilliseconds</c>).</param>
internal sealed record ProbeView(string Outcome, string? Reason, string? Message, double? ConnectMilliseconds, double? QueryMilliseconds, double? ProbeMilliseconds);

/// <summary>
/// Usage as the API shows it: diagnose's <c>usage</c>, field for field, and <c>inUse</c> as people read it. When the
/// monitor's role cannot see every session's type the count is a range: <c>clientBackends</c>, <c>percentOfUsable</c>
/// and <c>slotsLeft</c> are its worst end, the <c>…Min</c> fields its best.
/// </summary>
internal sealed record UsageView(
    int ClientBackends,
    int UsableSlots,
    int MaxConnections,
    double PercentOfUsable,
    int SlotsLeft,
    IReadOnlyDictionary<string, int> ByState,
    int OtherBackends,
    int ClientBackendsMin,
    int ClientBackendsMax,
    double PercentOfUsableMin,
    double PercentOfUsableMax,
    int UnclassifiedSessions,
    bool Exact,
    string InUse)
{
    public static UsageView? From(Usage? u) => u is null
        ? null
        : new UsageView(u.ClientBackends, u.UsableSlots, u.MaxConnections, u.PercentOfUsable, u.SlotsLeft, u.ByState, u.OtherBackends, u.ClientBackendsMin, u.ClientBackendsMax, u.PercentOfUsableMin, u.PercentOfUsableMax, u.UnclassifiedSessions, u.Exact, u.InUse());
}

/// <summary>One target as the API lists it; the connection is always masked.</summary>
/// <param name="Status">The diagnosis status, or <c>stale</c> when the latest poll had no snapshot (the lifeline could not read the server) while fresh connections work.</param>
/// <param name="FreshAt">The latest poll that had a snapshot: what the sessions, findings and alerts shown are as of.</param>
internal sealed record TargetView(
    string Name,
    string Connection,
    string Status,
    string Database,
    bool Lifeline,
    DateTimeOffset? PolledAt,
    UsageView? Usage,
    ProbeView? Probe,
    int FiringAlerts,
    double PollIntervalMilliseconds,
    FailureRatesView? FailureRates,
    bool Stale,
    DateTimeOffset? FreshAt,
    string Poll,
    string? SourceFile,
    OwnerView Owner);

/// <summary>Which instance polls a target (<c>serve --shard I/N</c>): <c>here</c> is true on the one that does.</summary>
/// <param name="Url">The owner's address from <c>shard.peerUrl</c>; null when none is configured.</param>
internal sealed record OwnerView(int Shard, int Shards, bool Here, string? Url)
{
    public static OwnerView Of(string target, Shards.ShardOptions shard)
    {
        var owner = shard.OwnerOf(target);
        return new OwnerView(owner, shard.Count, owner == shard.Index, shard.UrlOf(owner)?.ToString());
    }
}

/// <summary>One session as the API shows it, in <c>pgmedic activity</c>'s words (ages rounded to 0.1 s, the query cut at 300 characters).</summary>
internal sealed record SessionView(
    int Pid,
    string? User,
    string? Application,
    string? ClientAddress,
    string? Database,
    string? State,
    double? StateAgeSeconds,
    double? TransactionAgeSeconds,
    double? QueryAgeSeconds,
    string? WaitEventType,
    string? WaitEvent,
    IReadOnlyList<int> BlockedBy,
    string? Query)
{
    public static SessionView From(SessionInfo s, DateTimeOffset now) => new(
        s.Pid,
        s.User,
        s.ApplicationName,
        s.ClientAddress,
        s.Database,
        s.State,
        Round(s.StateAge(now)),
        Round(s.TransactionAge(now)),
        Round(s.QueryAge(now)),
        s.WaitEventType,
        s.WaitEvent,
        s.BlockedBy,
        s.Query is { Length: > 300 } q ? q[..300] : s.Query);

    private static double? Round(TimeSpan? age) => age is { } a ? Math.Round(a.TotalSeconds, 1) : null;
}

/// <summary>A lock chain: its head and every session waiting behind it.</summary>
internal sealed record ChainView(int HeadPid, SessionView? Head, IReadOnlyList<SessionView> Waiters, double LongestWaitSeconds)
{
    public static IReadOnlyList<ChainView> From(Snapshot snapshot)
    {
        var byPid = snapshot.Sessions.ToDictionary(s => s.Pid);
        return LockGraph.Chains(snapshot.Sessions).Select(chain =>
        {
            var waiters = chain.WaiterPids.Where(byPid.ContainsKey).Select(pid => SessionView.From(byPid[pid], snapshot.TakenAt)).ToList();
            return new ChainView(
                chain.HeadPid,
                byPid.TryGetValue(chain.HeadPid, out var head) ? SessionView.From(head, snapshot.TakenAt) : null,
                waiters,
                // From pg_locks.waitstart where the server has it (14+): how long they waited, not how long their statements ran.
                Math.Round(chain.WaiterPids.Where(byPid.ContainsKey).Select(pid => byPid[pid].LockWaitAge(snapshot.TakenAt)?.TotalSeconds ?? 0).DefaultIfEmpty(0).Max(), 1));
        }).ToList();
    }
}

internal sealed record EdgeView(int WaiterPid, int BlockerPid);

/// <summary>An application suspected of leaking connections, and why.</summary>
internal sealed record LeakSuspectView(string Application, int Idle, int Total, string Source, string Summary);

/// <summary>The current picture of one target: usage, applications, findings and the sessions behind them.</summary>
internal sealed record SnapshotView(
    string Target,
    DateTimeOffset? TakenAt,
    string Status,
    UsageView? Usage,
    IReadOnlyList<SessionGroup> Applications,
    IReadOnlyList<Finding> Findings,
    IReadOnlyList<SessionView> IdleInTransaction,
    IReadOnlyList<SessionView> LongQueries,
    IReadOnlyList<ChainView> BlockingChains,
    IReadOnlyList<LeakSuspectView> LeakSuspects,
    IReadOnlyList<AppPool> Pools,
    IReadOnlyList<AlertView> Alerts);

/// <summary>One poll of the history, in diagnose's words for usage and the probe's for its timing.</summary>
/// <param name="ProbeMilliseconds">The probe's connect and <c>SELECT 1</c> together; null when it got no connection.</param>
/// <param name="ProbeFailureRatio">The share (0–1) of the probe's attempts that failed over the window ending at this point.</param>
/// <param name="ApplicationFailureRatio">The services' own share of failed checkouts over the same window; null without pool endpoints or checkouts.</param>
internal sealed record HistoryPoint(
    DateTimeOffset At,
    int ClientBackends,
    int UsableSlots,
    double PercentOfUsable,
    int Active,
    int Idle,
    int IdleInTransaction,
    int Other,
    bool Collected,
    bool ProbeOk,
    double? ProbeMilliseconds,
    double ProbeFailureRatio,
    double? ApplicationFailureRatio);

internal sealed record HistoryView(string Target, DateTimeOffset From, DateTimeOffset To, double FailureWindowSeconds, IReadOnlyList<HistoryPoint> Points);

/// <param name="Signal"><c>database-connection-failure</c>: <c>application</c> or <c>probe</c>, the signal that tripped it; null for the other alerts.</param>
internal sealed record AlertView(string Target, string Alert, string Severity, string Subject, string State, DateTimeOffset Since, DateTimeOffset? FiredAt, double Value, string Summary, string? Signal)
{
    public static AlertView From(ActiveAlert a) => new(a.Key.Target, a.Key.Rule, HistoryNames.SeverityName(a.Key.Severity), a.Key.Subject, HistoryNames.StateName(a.State), a.Since, a.FiredAt, a.Value, a.Summary, HistoryNames.SignalName(a.Signal));
}

internal sealed record AlertEventView(string EventId, string Target, string Alert, string Severity, string Subject, string State, DateTimeOffset At, DateTimeOffset StartsAt, double Value, string Summary, long? IncidentId, string? Signal)
{
    public static AlertEventView From(StoredAlertEvent e) => new(e.EventId, e.Target, e.Rule, HistoryNames.SeverityName(e.Severity), e.Subject, HistoryNames.StateName(e.State), e.At, e.StartsAt, e.Value, e.Summary, e.IncidentId, HistoryNames.SignalName(e.Signal));
}

/// <summary>Both signals of <c>database-connection-failure</c> over its window, as of the latest poll.</summary>
internal sealed record FailureRatesView(double WindowSeconds, double Ratio, ProbeFailuresView Probe, ApplicationFailuresView? Application)
{
    public static FailureRatesView? From(FailureMeasurement? m, double ratio) => m is null ? null : new(
        m.Window.TotalSeconds,
        ratio,
        new ProbeFailuresView(m.ProbeAttempts, m.ProbeFailures, Math.Round(m.ProbeRatio, 4)),
        m.Application is { } a
            ? new ApplicationFailuresView(a.Attempts, a.Failures, a.Timeouts, a.ConnectFailures, a.Ratio is { } r ? Math.Round(r, 4) : null, a.Processes, a.Endpoints, a.Silent)
            : null);
}

internal sealed record ProbeFailuresView(int Attempts, int Failures, double Ratio);

/// <param name="Ratio">Null when the services made no checkout in the window.</param>
/// <param name="Silent">Pool endpoints that answered no poll in the window (they trip the alert too).</param>
internal sealed record ApplicationFailuresView(long Attempts, long Failures, long Timeouts, long ConnectFailures, double? Ratio, int Processes, int Endpoints, IReadOnlyList<SilentEndpoint> Silent);

internal sealed record IncidentSummary(long Id, string Target, string EventId, string Alert, string Severity, DateTimeOffset At, string Summary);

internal sealed record IncidentView(long Id, string Target, string EventId, string Alert, string Severity, DateTimeOffset At, string Summary, IncidentBody Snapshot);

internal sealed record HealRequest(bool DryRun = true);

internal sealed record DashboardConfigView(double PollIntervalMilliseconds, double WarningPercent, double CriticalPercent, double FailureRatio, double FailureWindowSeconds, bool ReadOnly, IReadOnlyList<string> Targets);

internal sealed record SlowQueriesView(string Target, SlowQueryReport? Report, string? Error);
