using Npgsql;
using PgMedic.Postgres.Sandbox;

namespace PgMedic.Testing;

/// <summary>Waits for the server to reach a state a test set up (a waiter queued, a query started).</summary>
public static class ServerState
{
    /// <summary>Polls <paramref name="condition"/> (a boolean SQL expression) as the superuser until it is true.</summary>
    public static async Task WaitUntilAsync(PostgresSandbox sandbox, string condition, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        await using var connection = await PostgresSandbox.OpenAsync(sandbox.SuperuserTarget, applicationName: "test-observer");
        await using var command = new NpgsqlCommand($"SELECT ({condition})", connection);
        while (!(bool)(await command.ExecuteScalarAsync())!)
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"the server never reached: {condition}");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>Waits until the given backends have all exited (terminated sessions linger for a moment).</summary>
    public static Task WaitUntilGoneAsync(PostgresSandbox sandbox, IEnumerable<int> pids) =>
        WaitUntilAsync(sandbox, $"NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid IN ({string.Join(',', pids.DefaultIfEmpty(-1))}))");

    /// <summary>The backend PIDs of one application_name's sessions, as pg_stat_activity shows them.</summary>
    public static async Task<IReadOnlyList<int>> PidsOfApplicationAsync(PostgresSandbox sandbox, string applicationName)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        await using var connection = await PostgresSandbox.OpenAsync(sandbox.SuperuserTarget, applicationName: "test-observer");
        await using var command = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE application_name = $1 ORDER BY pid", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = applicationName });
        var pids = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            pids.Add(reader.GetInt32(0));
        }

        return pids;
    }
}
