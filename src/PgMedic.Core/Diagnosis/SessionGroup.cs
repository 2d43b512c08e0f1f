using System.Runtime.InteropServices;
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

    /// <summary>One pass over the client backends, four tallies: the monitor groups every target's snapshot each poll.</summary>
    public static SessionGroups From(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var now = snapshot.TakenAt;
        Dictionary<string, Tally> byApplication = new(StringComparer.Ordinal), byUser = new(StringComparer.Ordinal), byClient = new(StringComparer.Ordinal), byDatabase = new(StringComparer.Ordinal);
        foreach (var session in snapshot.Sessions)
        {
            if (!session.IsClientBackend)
            {
                continue;
            }

            var age = session.StateAge(now);
            Count(byApplication, ApplicationOf(session), session.State, age);
            Count(byUser, session.User ?? "(unknown)", session.State, age);
            Count(byClient, session.ClientAddress ?? LocalSocket, session.State, age);
            Count(byDatabase, session.Database ?? "(none)", session.State, age);
        }

        return new SessionGroups(Groups(byApplication), Groups(byUser), Groups(byClient), Groups(byDatabase));
    }

    public static string ApplicationOf(SessionInfo session) =>
        string.IsNullOrEmpty(session.ApplicationName) ? NoApplicationName : session.ApplicationName;

    private static void Count(Dictionary<string, Tally> tallies, string key, string? state, TimeSpan? age)
    {
        ref var tally = ref CollectionsMarshal.GetValueRefOrAddDefault(tallies, key, out _);
        tally.Total++;
        if (state == SessionStates.Active)
        {
            tally.Active++;
        }
        else if (state == SessionStates.Idle)
        {
            tally.Idle++;
        }
        else if (SessionStates.IsIdleInTransaction(state))
        {
            tally.IdleInTransaction++;
        }
        else
        {
            tally.Other++;
        }

        if (age is { } a && (tally.Oldest is not { } oldest || a > oldest))
        {
            tally.Oldest = a;
        }
    }

    private static List<SessionGroup> Groups(Dictionary<string, Tally> tallies)
    {
        var groups = new List<SessionGroup>(tallies.Count);
        foreach (var (name, t) in tallies)
        {
            groups.Add(new SessionGroup(name, t.Total, t.Active, t.Idle, t.IdleInTransaction, t.Other, t.Oldest is { } oldest ? Math.Round(oldest.TotalSeconds, 1) : null));
        }

        groups.Sort(static (a, b) => a.Total != b.Total ? b.Total.CompareTo(a.Total) : string.CompareOrdinal(a.Name, b.Name));
        return groups;
    }

    private struct Tally
    {
        public int Total;
        public int Active;
        public int Idle;
        public int IdleInTransaction;
        public int Other;
        public TimeSpan? Oldest;
    }
}
