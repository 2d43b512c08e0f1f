using Microsoft.Extensions.Logging;
using Npgsql;
using PgMedic.Guard.Configuration;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Guard.Tests;

/// <summary>One real server for the guard tests; room for 64 concurrent checkouts and the test's own sessions.</summary>
public sealed class GuardSandboxFixture : SandboxFixture
{
    protected override SandboxOptions Options => new() { MaxConnections = 120, CreatePgStatStatements = false };
}

[CollectionDefinition(Name)]
public sealed class GuardSandboxCollection : ICollectionFixture<GuardSandboxFixture>
{
    public const string Name = "guard sandbox";
}

internal static class Guards
{
    /// <summary>Options for a guard on the sandbox's superuser, with the given application name so that tests find its sessions.</summary>
    public static GuardOptions OptionsFor(PostgresSandbox sandbox, string applicationName, Action<GuardOptions>? configure = null)
    {
        var options = new GuardOptions
        {
            ConnectionString = sandbox.SuperuserTarget.ToNpgsqlConnectionString(applicationName, pooling: true),
            Name = applicationName,
        };
        configure?.Invoke(options);
        return options;
    }

    public static GuardedDataSource Create(PostgresSandbox sandbox, string applicationName, Action<GuardOptions>? configure = null, TimeProvider? time = null, ILoggerFactory? loggerFactory = null) =>
        GuardedDataSource.Create(OptionsFor(sandbox, applicationName, configure), loggerFactory, time);

    public static async Task<int> SelectOneAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        return (int)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The sessions the server shows for an application name, from a separate superuser connection.</summary>
    public static async Task<List<int>> ServerPidsAsync(PostgresSandbox sandbox, string applicationName)
    {
        await using var connection = await PostgresSandbox.OpenAsync(sandbox.SuperuserTarget);
        await using var command = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE application_name = $1 ORDER BY pid", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = applicationName });
        var pids = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            pids.Add(reader.GetInt32(0));
        }

        return pids;
    }

    /// <summary>Polls a condition the test cannot await directly (another task reaching the gate), for at most 10 s.</summary>
    public static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("gave up waiting for: " + what);
            }

            await Task.Delay(5);
        }
    }
}
