using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Diagnosis;

/// <summary>Client backends that share an application, user, client address or database.</summary>
public sealed record SessionGroup(string Name, int Total, int Active, int Idle, int IdleInTransaction, int Other, double? OldestStateAgeSeconds);

/// <summary>The runbook's "connections per user" and step 3's listing, grouped four ways.</summary>
public sealed record SessionGroups(
    IReadOnlyList<SessionGroup> ByApplication,
    IReadOnlyList<SessionGroup> ByUser,
    IReadOnlyList<SessionGroup> ByClient,
    IReadOnlyList<SessionGroup> ByDatabase)
{
    public const string NoApplicationName = "(no application_name)";
    public const string LocalSocket = "(local socket)";

    public static SessionGroups From(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var clients = snapshot.ClientBackends.ToList();
        return new SessionGroups(
            Group(clients, s => ApplicationOf(s), snapshot.TakenAt),
            Group(clients, s => s.User ?? "(unknown)", snapshot.TakenAt),
            Group(clients, s => s.ClientAddress ?? LocalSocket, snapshot.TakenAt),
            Group(clients, s => s.Database ?? "(none)", snapshot.TakenAt));
    }

    public static string ApplicationOf(SessionInfo session) =>
        string.IsNullOrEmpty(session.ApplicationName) ? NoApplicationName : session.ApplicationName;

    private static List<SessionGroup> Group(List<SessionInfo> sessions, Func<SessionInfo, string> key, DateTimeOffset now) =>
        sessions.GroupBy(key)
            .Select(g => new SessionGroup(
                g.Key,
                g.Count(),
                g.Count(s => s.State == SessionStates.Active),
                g.Count(s => s.State == SessionStates.Idle),
                g.Count(s => SessionStates.IsIdleInTransaction(s.State)),
                g.Count(s => s.State is not (SessionStates.Active or SessionStates.Idle) && !SessionStates.IsIdleInTransaction(s.State)),
                g.Max(s => s.StateAge(now))?.TotalSeconds is { } seconds ? Math.Round(seconds, 1) : null))
            .OrderByDescending(g => g.Total)
            .ThenBy(g => g.Name, StringComparer.Ordinal)
            .ToList();
}
