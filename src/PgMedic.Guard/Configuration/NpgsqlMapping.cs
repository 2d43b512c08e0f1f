using Npgsql;

namespace PgMedic.Guard.Configuration;

/// <summary>How the runbook's settings become Npgsql settings (documented in docs/guard.md).</summary>
internal static class NpgsqlMapping
{
    // Npgsql prunes idle connections after 300 s by default; recycling sooner must not be outlived by idling.
    private static readonly TimeSpan NpgsqlIdleLifetime = TimeSpan.FromSeconds(300);

    public static NpgsqlConnectionStringBuilder Build(GuardOptions options, int maxPoolSize)
    {
        if (!DatabaseUrl.TryToConnectionString(options.ConnectionString ?? string.Empty, out var connectionString, out var problem))
        {
            throw new GuardConfigurationException([$"{GuardVariables.DatabaseUrl}='{DatabaseUrl.Mask(options.ConnectionString ?? string.Empty)}' is not allowed: {problem}"]);
        }

        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = true,

            // The guard's gate bounds checkouts; Npgsql's pool is only the store of open connections
            // and is sized so that it never makes a guarded checkout wait on its own.
            MaxPoolSize = maxPoolSize,
            MinPoolSize = 0,

            // With the gate in front, Npgsql's Timeout only bounds opening a physical connection.
            Timeout = Seconds(options.ConnectTimeout, minimum: 1),
            CommandTimeout = Seconds(options.CommandTimeout, minimum: 0),
        };

        // pool_recycle is an age limit, so it maps to Connection Lifetime (checked when a connection
        // is returned), and idle pruning is brought forward so that no idle connection outlives it.
        if (options.PoolRecycle > TimeSpan.Zero)
        {
            builder.ConnectionLifetime = Seconds(options.PoolRecycle, minimum: 1);
            builder.ConnectionIdleLifetime = Seconds(options.PoolRecycle < NpgsqlIdleLifetime ? options.PoolRecycle : NpgsqlIdleLifetime, minimum: 1);
            builder.ConnectionPruningInterval = Math.Min(builder.ConnectionPruningInterval, builder.ConnectionIdleLifetime);
        }
        else
        {
            builder.ConnectionLifetime = 0;
        }

        return builder;
    }

    private static int Seconds(TimeSpan value, int minimum) =>
        Math.Max(minimum, (int)Math.Min(int.MaxValue, Math.Ceiling(value.TotalSeconds)));
}
