using System.Text.Json.Serialization;
using PgMedic.Core.Remediation;

namespace PgMedic.Postgres.Remediation;

/// <summary>What became of one signal sent to one backend.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ActionOutcome>))]
public enum ActionOutcome
{
    [JsonStringEnumMemberName("terminated")]
    Terminated,

    [JsonStringEnumMemberName("cancelled")]
    Cancelled,

    [JsonStringEnumMemberName("already-gone")]
    AlreadyGone,

    /// <summary>The session changed state since the plan was made, so it was left alone.</summary>
    [JsonStringEnumMemberName("left-alone-changed")]
    Changed,

    [JsonStringEnumMemberName("permission-denied")]
    PermissionDenied,

    [JsonStringEnumMemberName("not-confirmed")]
    NotConfirmed,

    [JsonStringEnumMemberName("failed")]
    Failed,
}

/// <summary>What happened to one planned action.</summary>
public sealed record ActionResult(PlannedAction Action, ActionOutcome Result, string? Detail, double ElapsedMilliseconds)
{
    public bool Succeeded => Result is ActionOutcome.Terminated or ActionOutcome.Cancelled;

    /// <summary>Nothing is left to do about this session: it was signalled, or it is gone or moved on by itself.</summary>
    public bool Settled => Succeeded || Result is ActionOutcome.AlreadyGone or ActionOutcome.Changed;
}

/// <param name="CancelFirst">Cancel every session, wait <paramref name="Grace"/>, then terminate only those still in the planned state.</param>
public sealed record ExecutionOptions(bool CancelFirst, TimeSpan Grace)
{
    public static ExecutionOptions Direct { get; } = new(false, TimeSpan.Zero);

    /// <summary>How long a terminated backend is waited for before its result is <see cref="ActionOutcome.NotConfirmed"/>.</summary>
    public TimeSpan ExitWait { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>The audit log's word for an outcome (the same as its JSON name).</summary>
public static class ActionOutcomeText
{
    public static string Of(ActionOutcome outcome) => outcome switch
    {
        ActionOutcome.Terminated => "terminated",
        ActionOutcome.Cancelled => "cancelled",
        ActionOutcome.AlreadyGone => "already-gone",
        ActionOutcome.Changed => "left-alone-changed",
        ActionOutcome.PermissionDenied => "permission-denied",
        ActionOutcome.NotConfirmed => "not-confirmed",
        _ => "failed",
    };
}
