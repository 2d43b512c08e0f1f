using PgMedic.Core.Remediation;

namespace PgMedic.Postgres.Remediation;

/// <summary>What happened to one planned action.</summary>
public sealed record ActionResult(PlannedAction Action, string Result, string? Detail, double Milliseconds)
{
    public const string Terminated = "terminated";
    public const string Cancelled = "cancelled";
    public const string AlreadyGone = "already-gone";
    public const string Changed = "left-alone-changed";
    public const string PermissionDenied = "permission-denied";
    public const string NotConfirmed = "not-confirmed";
    public const string Failed = "failed";

    public bool Succeeded => Result is Terminated or Cancelled;
}

/// <param name="CancelFirst">Cancel every session, wait <paramref name="Grace"/>, then terminate only those still in the planned state.</param>
public sealed record ExecutionOptions(bool CancelFirst, TimeSpan Grace);
