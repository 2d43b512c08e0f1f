namespace PgMedic.Guard.Health;

/// <summary>The runbook's health answer: <c>{"status":"healthy","database":"connected"}</c> or why not.</summary>
/// <param name="Status">healthy, unhealthy or maintenance.</param>
/// <param name="Database">connected, disconnected, or "not checked" in maintenance mode.</param>
/// <param name="Error">Why it is not healthy; never holds a password.</param>
public sealed record GuardHealthReport(GuardHealthStatus Status, string Database, string? Error)
{
    public const string Connected = "connected";
    public const string Disconnected = "disconnected";
    public const string NotChecked = "not checked";

    public bool IsHealthy => Status == GuardHealthStatus.Healthy;
}

public enum GuardHealthStatus
{
    Healthy,
    Unhealthy,
    Maintenance,
}
