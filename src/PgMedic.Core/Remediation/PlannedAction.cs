using System.Text.Json.Serialization;
using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Remediation;

[JsonConverter(typeof(JsonStringEnumConverter<SessionAction>))]
public enum SessionAction
{
    [JsonStringEnumMemberName("cancel")]
    Cancel,

    [JsonStringEnumMemberName("terminate")]
    Terminate,
}

/// <summary>
/// One cancel or terminate of one backend, with what the session looked like when it was planned.
/// <see cref="BackendStart"/> identifies the session: a PID reused by a new connection is not touched.
/// </summary>
public sealed record PlannedAction(
    SessionAction Action,
    int Pid,
    DateTimeOffset? BackendStart,
    DateTimeOffset? StateChange,
    string? User,
    string? Application,
    string? ClientAddress,
    string? Database,
    string? State,
    double? StateAgeSeconds,
    double? TransactionAgeSeconds,
    double? QueryAgeSeconds,
    string? Query,
    string Reason)
{
    public static PlannedAction For(SessionAction action, SessionInfo session, DateTimeOffset now, string reason)
    {
        ArgumentNullException.ThrowIfNull(session);
        return new PlannedAction(
            action,
            session.Pid,
            session.BackendStart,
            session.StateChange,
            session.User,
            session.ApplicationName,
            session.ClientAddress,
            session.Database,
            session.State,
            Seconds(session.StateAge(now)),
            Seconds(session.TransactionAge(now)),
            Seconds(session.QueryAge(now)),
            session.Query is { Length: > 200 } q ? q[..200] : session.Query,
            reason);
    }

    private static double? Seconds(TimeSpan? age) => age is { } a ? Math.Round(a.TotalSeconds, 1) : null;
}

/// <summary>A session the selection matched but a guardrail protected, and which guardrail.</summary>
public sealed record SparedSession(int Pid, string? User, string? Application, string? Database, string? State, SpareReason Reason, string? Detail);
