using Npgsql;
using PgMedic.Postgres.Sandbox;

namespace PgMedic.Cli.Tests.Remediation;

internal static class ActivePids
{
    /// <summary>Every backend PID the server has right now, except the one asking.</summary>
    public static async Task<HashSet<int>> OfAsync(PostgresSandbox sandbox)
    {
        await using var connection = await PostgresSandbox.OpenAsync(sandbox.SuperuserTarget, applicationName: "test-observer");
        await using var command = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid()", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var pids = new HashSet<int>();
        while (await reader.ReadAsync())
        {
            pids.Add(reader.GetInt32(0));
        }

        return pids;
    }
}
