using Npgsql;
using PgMedic.Postgres.Probing;
using PgMedic.Postgres.SessionHistory;
using PgMedic.Testing;

namespace PgMedic.Postgres.Tests.SessionHistory;

/// <summary>The 1 s sampler's own read: busy sessions one by one, idle ones as counts.</summary>
[Collection(SandboxCollection.Name)]
public sealed class ActivityReaderTests(SandboxFixture fixture)
{
    [Fact]
    public async Task Read_IdleSessionsCountedWithoutPids_BusyOnesWholeWithQueryAndNames()
    {
        var sandbox = fixture.Sandbox;
        await using var idle = await HeldConnections.OpenAsync(sandbox.SuperuserTarget, 4, "ash-idle");
        await using var busy = await HeldConnections.OpenAsync(sandbox.SuperuserTarget, 2, "ash-busy");
        await busy.ExecuteOnEachAsync("BEGIN; SELECT 42");
        await using var connection = await OpenCollectorAsync();

        var (now, sessions) = await new ActivityReader().ReadAsync(connection, TimeSpan.FromSeconds(5), CancellationToken.None);

        var idleRead = sessions.Where(s => s.ApplicationName == "ash-idle").ToList();
        Assert.Equal(4, idleRead.Count);
        Assert.All(idleRead, s => Assert.Equal((0, "idle", null, "postgres", "postgres"), (s.Pid, s.State, s.Query, s.Database, s.User)));
        var busyRead = sessions.Where(s => s.ApplicationName == "ash-busy").ToList();
        Assert.Equal(busy.Pids.Order(), busyRead.Select(s => s.Pid).Order());
        Assert.All(busyRead, s => Assert.Equal(("idle in transaction", "SELECT 42", "postgres", "postgres"), (s.State, s.Query, s.Database, s.User)));
        Assert.All(busyRead, s => Assert.NotNull(s.TransactionStart));
        Assert.DoesNotContain(sessions, s => s.Pid == connection.ProcessID);
        Assert.InRange(now, DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1), DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Read_OnASecondConnection_SetsItsStatementTimeoutThereToo()
    {
        var reader = new ActivityReader();
        await using var first = await OpenCollectorAsync();
        await using var second = await OpenCollectorAsync();

        await reader.ReadAsync(first, TimeSpan.FromSeconds(4), CancellationToken.None);
        await reader.ReadAsync(first, TimeSpan.FromSeconds(4), CancellationToken.None);
        await reader.ReadAsync(second, TimeSpan.FromSeconds(4), CancellationToken.None);
        await reader.ReadAsync(first, TimeSpan.FromSeconds(3), CancellationToken.None);

        Assert.Equal("3s", await ShowAsync(first));
        Assert.Equal("4s", await ShowAsync(second));
    }

    private async Task<NpgsqlConnection> OpenCollectorAsync()
    {
        var (connection, probe) = await Prober.ConnectAsync(fixture.Sandbox.SuperuserTarget, TimeSpan.FromSeconds(10), ConnectionSettings.Collector, CancellationToken.None);
        Assert.True(connection is not null, probe.Message);
        return connection;
    }

    private static async Task<string> ShowAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SHOW statement_timeout", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
