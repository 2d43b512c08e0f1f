using System.Net;
using PgMedic.Core.Common;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Remediation;

/// <summary>Which sessions <c>terminate</c> and <c>cancel</c> mean. Empty filters match everything.</summary>
public sealed record SessionSelection
{
    /// <summary><c>idle</c>, <c>idle-in-transaction</c> (includes aborted) or <c>active</c>.</summary>
    public string? State { get; init; }

    /// <summary>At least this long in the current state (idle and idle-in-transaction).</summary>
    public TimeSpan? InStateFor { get; init; }

    /// <summary>
    /// At least this long in the current query (active). A lock waiter is waiting, not running: it is left
    /// out unless named by <see cref="Pid"/> — cancelling it frees nothing while the chain's head holds on.
    /// </summary>
    public TimeSpan? RunningFor { get; init; }

    public string? Application { get; init; }

    public string? User { get; init; }

    public IPNetwork? Client { get; init; }

    /// <summary>Only the session with this backend PID (the monitor's terminate, a key in <c>top</c>).</summary>
    public int? Pid { get; init; }

    /// <summary>Only the sessions with these backend PIDs (several tagged in <c>top</c>); empty means no such filter.</summary>
    public IReadOnlyList<int> Pids { get; init; } = [];

    /// <summary>Heads of lock chains whose longest waiter waited at least this long (from <c>pg_locks.waitstart</c> where the server has it).</summary>
    public TimeSpan? BlockingWaitingFor { get; init; }

    public static readonly IReadOnlyList<string> States = ["idle", "idle-in-transaction", "active"];

    public static string? NormalizeState(string? text) => text?.Trim().ToLowerInvariant().Replace(' ', '-') switch
    {
        null or "" => null,
        "idle" => "idle",
        "idle-in-transaction" => "idle-in-transaction",
        "active" => "active",
        _ => throw new ArgumentException($"state '{text}' is not one of idle, idle-in-transaction, active"),
    };

    public IEnumerable<SessionInfo> Match(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var now = snapshot.TakenAt;
        if (BlockingWaitingFor is { } waiting)
        {
            var sessions = snapshot.Sessions.GroupBy(s => s.Pid).ToDictionary(g => g.Key, g => g.First());
            foreach (var chain in LockGraph.Chains(snapshot.Sessions))
            {
                var longest = chain.WaiterPids.Max(pid => sessions[pid].LockWaitAge(now) ?? TimeSpan.Zero);
                if (longest >= waiting && sessions.TryGetValue(chain.HeadPid, out var head) && Filters(head, now))
                {
                    yield return head;
                }
            }

            yield break;
        }

        foreach (var session in snapshot.Sessions.Where(s => Filters(s, now) && StateMatches(s, now)))
        {
            yield return session;
        }
    }

    public string Describe()
    {
        var parts = new List<string>();
        if (Pid is { } pid)
        {
            parts.Add($"pid {pid}");
        }

        if (Pids.Count > 0)
        {
            parts.Add($"pid{(Pids.Count == 1 ? string.Empty : "s")} {string.Join(", ", Pids)}");
        }

        if (BlockingWaitingFor is { } w)
        {
            parts.Add($"heads of lock chains whose waiters waited ≥ {Duration.Format(w)}");
        }

        if (State is not null)
        {
            parts.Add($"state {State}");
        }

        if (InStateFor is { } f)
        {
            parts.Add($"for ≥ {Duration.Format(f)}");
        }

        if (RunningFor is { } r)
        {
            parts.Add(Pid is null && Pids.Count == 0 ? $"running ≥ {Duration.Format(r)} (not waiting on a lock)" : $"running ≥ {Duration.Format(r)}");
        }

        if (Application is not null)
        {
            parts.Add($"application {Application}");
        }

        if (User is not null)
        {
            parts.Add($"user {User}");
        }

        if (Client is { } c)
        {
            parts.Add($"client {c}");
        }

        return string.Join(", ", parts);
    }

    private bool Filters(SessionInfo session, DateTimeOffset now) =>
        (Pid is not { } pid || session.Pid == pid)
        && (Pids.Count == 0 || Pids.Contains(session.Pid))
        && (Application is null || string.Equals(session.ApplicationName, Application, StringComparison.Ordinal))
        && (User is null || string.Equals(session.User, User, StringComparison.Ordinal))
        && (Client is not { } network || (IPAddress.TryParse(session.ClientAddress, out var address) && network.Contains(address)));

    private bool StateMatches(SessionInfo session, DateTimeOffset now)
    {
        var stateOk = State switch
        {
            null => true,
            "idle" => session.State == SessionStates.Idle,
            "idle-in-transaction" => SessionStates.IsIdleInTransaction(session.State),
            "active" => session.State == SessionStates.Active,
            _ => false,
        };
        return stateOk
            && (InStateFor is not { } inState || session.StateAge(now) >= inState)
            && (RunningFor is not { } running || (session.State == SessionStates.Active && session.QueryAge(now) >= running && (Pid is not null || Pids.Count > 0 || !session.IsLockWaiter)));
    }
}
