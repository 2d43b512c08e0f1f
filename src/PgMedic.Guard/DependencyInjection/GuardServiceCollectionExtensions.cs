using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using PgMedic.Guard;
using PgMedic.Guard.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers PgMedic.Guard with dependency injection.</summary>
public static class GuardServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="GuardedDataSource"/> read from configuration: the <c>PgMedic:Guard</c>
    /// section, then <c>DATABASE_URL</c>, <c>DATABASE_POOL_SIZE</c> and the runbook's other variables
    /// (environment variables, in ASP.NET Core), then <paramref name="configure"/>.
    /// Settings are read and validated here, so an invalid value stops start-up with its name, its value
    /// and what is allowed.
    /// </summary>
    /// <exception cref="GuardConfigurationException">A setting is missing, unreadable or out of range.</exception>
    public static IServiceCollection AddPgMedicGuard(this IServiceCollection services, IConfiguration configuration, Action<GuardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddPgMedicGuard(GuardOptionsReader.FromConfiguration(configuration, configure));
    }

    /// <summary>Registers one <see cref="GuardedDataSource"/> with these options (validated now).</summary>
    /// <exception cref="GuardConfigurationException">The options are invalid.</exception>
    public static IServiceCollection AddPgMedicGuard(this IServiceCollection services, GuardOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new GuardConfigurationException(errors);
        }

        var snapshot = options.Clone();
        services.AddSingleton(sp => GuardedDataSource.Create(
            snapshot,
            sp.GetService<ILoggerFactory>(),
            sp.GetService<TimeProvider>()));
        return services;
    }
}
