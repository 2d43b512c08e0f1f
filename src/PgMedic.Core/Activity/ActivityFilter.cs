using PgMedic.Core.Common;
using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Activity;

/// <summary>
/// Which sessions <c>pgmedic activity</c> lists. Every filter that is set must match; an empty
/// <see cref="States"/> matches every state.
/// </summary>
/// <param name="States">Values of <c>pg_stat_activity.state</c> (see <see cref="SessionStates"/>); any of them matches.</param>
/// <param name="MinAge">Only sessions that have been in their current state at least this long.</param>
/// <param name="AllBackends">Include background processes (autovacuum, walsenders, parallel workers…); client backends only when false.</param>
public sealed record ActivityFilter(
    IReadOnlyList<string> States,
    string? Database = null,
    string? Application = null,
    string? User = null,
    TimeSpan? MinAge = null,
    bool AllBackends = false)
{
    /// <summary>What <see cref="TryParseState"/> accepts, for error messages and help.</summary>
    public const string StateChoices = "idle, active, idle-in-transaction, idle-in-transaction-aborted";

    public static ActivityFilter Everything { get; } = new([]);

    public bool Matches(SessionInfo session, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(session);
        return (AllBackends || session.IsClientBackend)
            && (States.Count == 0 || (session.State is { } state && States.Contains(state)))
            && (Database is null || session.Database == Database)
            && (Application is null || session.ApplicationName == Application)
            && (User is null || session.User == User)
            && (MinAge is not { } minAge || session.StateAge(now) >= minAge);
    }

    /// <summary>
    /// The state as <c>pg_stat_activity</c> spells it, from what people type: <c>idle</c>, <c>active</c>,
    /// <c>idle-in-transaction</c> or <c>"idle in transaction"</c>, <c>idle-in-transaction-aborted</c> or
    /// <c>"idle in transaction (aborted)"</c>; case does not matter.
    /// </summary>
    public static bool TryParseState(string? text, out string state)
    {
        var words = (text ?? string.Empty)
            .ToLowerInvariant()
            .Replace('-', ' ')
            .Replace('_', ' ')
            .Replace("(", " ", StringComparison.Ordinal)
            .Replace(")", " ", StringComparison.Ordinal)
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        state = string.Join(' ', words) switch
        {
            "idle" => SessionStates.Idle,
            "active" => SessionStates.Active,
            "idle in transaction" => SessionStates.IdleInTransaction,
            "idle in transaction aborted" => SessionStates.IdleInTransactionAborted,
            _ => string.Empty,
        };
        return state.Length > 0;
    }

    /// <summary>The filters in words, for the line above a listing (<c>state idle · application api · in state ≥ 5m</c>).</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (States.Count > 0)
        {
            parts.Add("state " + string.Join(" or ", States));
        }

        AddIf(parts, "database", Database);
        AddIf(parts, "application", Application);
        AddIf(parts, "user", User);
        if (MinAge is { } minAge)
        {
            parts.Add("in state ≥ " + Duration.Format(minAge));
        }

        parts.Add(AllBackends ? "all backends" : "client backends");
        return string.Join(" · ", parts);
    }

    private static void AddIf(List<string> parts, string name, string? value)
    {
        if (value is not null)
        {
            parts.Add($"{name} {value}");
        }
    }
}
