using Microsoft.Extensions.Diagnostics.HealthChecks;
using PgMedic.Guard.Health;

namespace PgMedic.Guard.AspNetCore.Health;

/// <summary>The guard's health answer as a standard ASP.NET Core health check (for /healthz, Kubernetes probes, health UIs).</summary>
internal sealed class GuardHealthCheck(GuardedDataSource guard, TimeSpan timeout) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var report = await guard.CheckHealthAsync(timeout, cancellationToken).ConfigureAwait(false);
        var statistics = guard.Statistics;
        var data = new Dictionary<string, object>
        {
            ["database"] = report.Database,
            ["checkedOut"] = statistics.CheckedOut,
            ["maxConnections"] = statistics.MaxConnections,
            ["waiting"] = statistics.Waiting,
            ["leaks"] = statistics.Leaks,
        };
        return report.Status switch
        {
            GuardHealthStatus.Healthy => HealthCheckResult.Healthy("database connected", data),
            GuardHealthStatus.Maintenance => new HealthCheckResult(context.Registration.FailureStatus, report.Error, data: data),
            _ => new HealthCheckResult(context.Registration.FailureStatus, report.Error, data: data),
        };
    }
}
