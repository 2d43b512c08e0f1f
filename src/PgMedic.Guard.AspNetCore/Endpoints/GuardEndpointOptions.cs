namespace PgMedic.Guard.AspNetCore.Endpoints;

/// <summary>How <c>MapPgMedicGuard</c> serves <c>/health</c> and <c>/health/pool</c>.</summary>
public sealed class GuardEndpointOptions
{
    /// <summary>The path of the runbook's health answer; <c>/health</c> unless changed.</summary>
    public string HealthPath { get; set; } = "/health";

    /// <summary>The path of the pool statistics and holders (the pool-endpoint contract); <c>/health/pool</c> unless changed.</summary>
    public string PoolPath { get; set; } = "/health/pool";

    /// <summary>How long <c>/health</c> waits for a connection and <c>SELECT 1</c>.</summary>
    public TimeSpan HealthTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary><c>/health/pool</c> lists call sites and stack traces, so it is off unless turned on.</summary>
    public bool EnablePoolEndpoint { get; set; }

    /// <summary>
    /// Serve <c>/health/pool</c> to requests from a loopback address that carry no forwarding header
    /// (a local reverse proxy would make every request look local).
    /// </summary>
    public bool AllowLocalRequests { get; set; } = true;

    /// <summary>When set, <c>/health/pool</c> is also served to requests with <c>Authorization: Bearer &lt;token&gt;</c>.</summary>
    public string? PoolToken { get; set; }

    /// <summary>Include captured stack traces in <c>/health/pool</c>.</summary>
    public bool IncludeStackTraces { get; set; } = true;
}
