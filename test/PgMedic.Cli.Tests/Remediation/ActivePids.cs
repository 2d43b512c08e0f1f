using Npgsql;
using PgMedic.Postgres.Sandbox;

namespace PgMedic.Cli.Tests.Remediation;

internal static class ActivePids
{
    /// <summary>
    /// Every client session the server has right now, except the one asking and PgMedic's own (a run's
    /// connection may still be closing): "nothing changed" is about sessions, and an autovacuum worker
    /// starting between two looks is not a change a remediation made.
    /// </summary>
    public static async Task<HashSet<int>> OfAsync(PostgresSandbox sandbox)
    {
        await using var connection = await PostgresSandbox.OpenAsync(sandbox.SuperuserTarget, applicationName: "test-observer");
        await using var command = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend' AND application_name IS DISTINCT FROM 'pgmedic'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var pids = new HashSet<int>();
        while (await reader.ReadAsync())
        {
            pids.Add(reader.GetInt32(0));
        }

        return pids;
    }
}
