using System.Globalization;
using Npgsql;
using PgMedic.Postgres.Sandbox;

namespace PgMedic.Testing;

/// <summary>
/// Tests that count sessions exactly on a shared server start from an empty one: a session an earlier test left
/// (or is still closing) is waited for, then ended, and named in the untracked <c>artifacts/stragglers.log</c>
/// (test.sh prints it) so that whatever leaves it behind can be found.
/// </summary>
public static class Stragglers
{
    private const string Others = "backend_type = 'client backend' AND pid <> pg_backend_pid()";

    public static async Task ClearAsync(PostgresSandbox sandbox, string test)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        await using var connection = await PostgresSandbox.OpenAsync(sandbox.SuperuserTarget, applicationName: "test-observer");
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(5);
        var left = await ListAsync(connection);
        while (left.Count > 0 && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(50);
            left = await ListAsync(connection);
        }

        if (left.Count == 0)
        {
            return;
        }

        var log = Path.Combine(BuildOutput.RepositoryRoot(), "artifacts", "stragglers.log");
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        await File.AppendAllLinesAsync(log, left.Select(s => $"{DateTimeOffset.UtcNow:O} before {test}: {s.Description}"));
        var pids = left.Select(s => s.Pid).ToList();
        await using (var terminate = new NpgsqlCommand($"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE pid IN ({string.Join(',', pids)})", connection))
        {
            await terminate.ExecuteScalarAsync();
        }

        await ServerState.WaitUntilGoneAsync(sandbox, pids);
    }

    private static async Task<List<(int Pid, string Description)>> ListAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT pid, usename, application_name, state, left(query, 80), now() - backend_start FROM pg_stat_activity WHERE {Others}",
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        var sessions = new List<(int, string)>();
        while (await reader.ReadAsync())
        {
            sessions.Add((reader.GetInt32(0), string.Create(CultureInfo.InvariantCulture, $"pid {reader.GetInt32(0)} user {reader[1]} application '{reader[2]}' {reader[3]} for {reader[5]}: {reader[4]}")));
        }

        return sessions;
    }
}
