namespace PgMedic.Core.Reporting;

/// <summary>The audit log's event names and the playbook's step names, as the remediation engine writes them.</summary>
internal static class AuditEvents
{
    public const string Findings = "findings";
    public const string Plan = "plan";
    public const string ActionFinished = "action-finished";
    public const string Verification = "verification";
    public const string HookFinished = "hook-finished";
    public const string Stopped = "stopped";
    public const string HealthCheck = "health-check";

    public const string Emergency = "emergency";
    public const string PlaybookPlan = "playbook";
    public const string FinalCheck = "verify";
    public const string MaintenanceOn = "maintenance-on";
    public const string MaintenanceOff = "maintenance-off";
    public const string HookSucceeded = "succeeded";
}
