namespace PgMedic.Guard.Health;

/// <summary>The runbook's health answer: <c>{"status":"healthy","database":"connected"}</c> or why not.</summary>
/// <param name="Status">healthy, unhealthy or maintenance.</param>
/// <param name="Database">connected, disconnected, or "not checked" in maintenance mode.</param>
/// <param name="Error">Why it is not healthy; never holds a password.</param>
public sealed record GuardHealthReport(GuardHealthStatus Status, string Database, string? Error)
{
    /// <summary><see cref="Database"/> when <c>SELECT 1</c> succeeded.</summary>
    public const string Connected = "connected";

    /// <summary><see cref="Database"/> when the database could not be reached or refused the connection.</summary>
    public const string Disconnected = "disconnected";

    /// <summary><see cref="Database"/> in maintenance mode, when no connection is attempted.</summary>
    public const string NotChecked = "not checked";

    /// <summary>True when <see cref="Status"/> is <see cref="GuardHealthStatus.Healthy"/>.</summary>
    public bool IsHealthy => Status == GuardHealthStatus.Healthy;
}

/// <summary>The <c>status</c> of a <see cref="GuardHealthReport"/>.</summary>
public enum GuardHealthStatus
{
    /// <summary>The database answered <c>SELECT 1</c>: <c>"healthy"</c>.</summary>
    Healthy,

    /// <summary>The database could not be reached or refused the connection: <c>"unhealthy"</c> (HTTP 503).</summary>
    Unhealthy,

    /// <summary>The guard is in maintenance mode and refuses new checkouts: <c>"maintenance"</c> (HTTP 503).</summary>
    Maintenance,
}
