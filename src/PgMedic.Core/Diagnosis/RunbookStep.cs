namespace PgMedic.Core.Diagnosis;

/// <summary>The steps of RUNBOOK-database-connection-issues.md a finding maps to (stable strings, part of the JSON contract).</summary>
public static class RunbookStep
{
    public const string InitialAssessment = "Initial Assessment";
    public const string ResetConnectionPool = "Step 1: Reset Connection Pool";
    public const string IncreaseConnectionLimits = "Step 2: Increase Connection Limits";
    public const string IdentifyConnectionLeaks = "Step 3: Identify Connection Leaks";
    public const string EmergencyRestart = "Step 4: Emergency Database Restart";
    public const string Prevention = "Prevention Measures";
}
