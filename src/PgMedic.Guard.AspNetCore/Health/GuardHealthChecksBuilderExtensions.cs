using Microsoft.Extensions.Diagnostics.HealthChecks;
using PgMedic.Guard;
using PgMedic.Guard.AspNetCore.Health;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds PgMedic.Guard to ASP.NET Core's standard health checks.</summary>
public static class GuardHealthChecksBuilderExtensions
{
    /// <summary>Adds a health check that runs <c>SELECT 1</c> through the registered <see cref="GuardedDataSource"/>.</summary>
    public static IHealthChecksBuilder AddPgMedicGuard(this IHealthChecksBuilder builder, string name = "pgmedic-guard", TimeSpan? timeout = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var wait = timeout ?? TimeSpan.FromSeconds(5);
        return builder.Add(new HealthCheckRegistration(
            name,
            sp => new GuardHealthCheck(sp.GetRequiredService<GuardedDataSource>(), wait),
            HealthStatus.Unhealthy,
            tags,
            wait + TimeSpan.FromSeconds(1)));
    }
}
