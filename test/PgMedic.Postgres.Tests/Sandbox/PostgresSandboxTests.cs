using Npgsql;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Postgres.Tests.Sandbox;

public sealed class PostgresSandboxTests
{
    [Fact]
    public async Task StartAsync_WithSettings_ServerRunsThemWithPgStatStatementsPreloaded()
    {
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions
        {
            MaxConnections = 17,
            SuperuserReservedConnections = 2,
            Settings = new Dictionary<string, string> { ["idle_in_transaction_session_timeout"] = "45s" },
        });
        await using var connection = await PostgresSandbox.OpenAsync(sandbox.SuperuserTarget);
        await using var command = new NpgsqlCommand(
            "SELECT current_setting('max_connections'), current_setting('superuser_reserved_connections'), current_setting('idle_in_transaction_session_timeout'), current_setting('listen_addresses'), (SELECT count(*) FROM pg_stat_statements) >= 0",
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();

        Assert.Equal("17", reader.GetString(0));
        Assert.Equal("2", reader.GetString(1));
        Assert.Equal("45s", reader.GetString(2));
        Assert.Equal("127.0.0.1", reader.GetString(3));
        Assert.True(reader.GetBoolean(4));
    }

    [Fact]
    public async Task StartAsync_TcpLogin_RequiresThePassword()
    {
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });

        var error = await Assert.ThrowsAsync<PostgresException>(() => PostgresSandbox.OpenAsync(sandbox.SuperuserTarget with { Password = "guess" }));

        Assert.Equal("28P01", error.SqlState);
    }

    [Fact]
    public async Task DisposeAsync_RunningSandbox_StopsServerAndRemovesDirectory()
    {
        var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        var directory = sandbox.Directory;
        var postmaster = sandbox.PostmasterPid;
        Assert.True(sandbox.IsRunning);
        Assert.NotNull(postmaster);

        await sandbox.DisposeAsync();

        Assert.False(Directory.Exists(directory));
        Assert.False(SandboxJanitor.IsAlive(postmaster!.Value));
    }

    [Fact]
    public async Task CleanUpAbandonedAsync_SandboxOfCrashedRun_ServerStoppedAndDirectoryRemoved()
    {
        var tempRoot = Directory.CreateTempSubdirectory("pgmedic-janitor-test-").FullName;
        File.SetUnixFileMode(tempRoot, (UnixFileMode)0b111_101_101);
        var abandoned = await PostgresSandbox.StartAsync(new SandboxOptions { TempRoot = tempRoot, CreatePgStatStatements = false });
        var postmaster = abandoned.PostmasterPid;
        var live = await PostgresSandbox.StartAsync(new SandboxOptions { TempRoot = tempRoot, CreatePgStatStatements = false });
        try
        {
            // As if the process that made it had been killed: its owner PID no longer runs.
            await File.WriteAllTextAsync(Path.Combine(abandoned.Directory, "owner"), "999999999 0");

            var removed = await SandboxJanitor.CleanUpAbandonedAsync(tempRoot, PostgresBinaries.Locate(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, CancellationToken.None);

            Assert.Equal([abandoned.Directory], removed);
            Assert.False(Directory.Exists(abandoned.Directory));
            Assert.False(SandboxJanitor.IsAlive(postmaster!.Value));
            Assert.True(live.IsRunning, "a sandbox whose owner still runs must be left alone");
        }
        finally
        {
            await live.DisposeAsync();
            await abandoned.DisposeAsync();
            Directory.Delete(tempRoot, recursive: true);
        }
    }

    [Fact]
    public async Task StopThenStartServer_SamePort_AcceptsAgain()
    {
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        var port = sandbox.Port;

        await sandbox.StopServerAsync();
        Assert.False(sandbox.IsRunning);
        await sandbox.StartServerAsync();

        await using var connection = await PostgresSandbox.OpenAsync(sandbox.SuperuserTarget);
        Assert.Equal(port, sandbox.Port);
        Assert.Equal(System.Data.ConnectionState.Open, connection.State);
    }

    [Fact]
    public void Validate_ImpossibleOptions_ReportsEveryErrorAtOnce()
    {
        var errors = new SandboxOptions { MaxConnections = 1, SuperuserReservedConnections = 5, StartTimeout = TimeSpan.Zero, Settings = new Dictionary<string, string> { ["bad name;"] = "x" } }.Validate();

        Assert.Equal(4, errors.Count);
    }

    [Fact]
    public async Task HeldConnections_Dispose_ClosesEverySession()
    {
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        var held = await HeldConnections.OpenAsync(sandbox.SuperuserTarget, 3, "held-check");
        Assert.Equal(3, held.Pids.Distinct().Count());

        await held.DisposeAsync();

        // A backend exits a moment after its client closes the socket.
        await using var connection = await PostgresSandbox.OpenAsync(sandbox.SuperuserTarget);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'held-check'", connection);
        var remaining = -1L;
        for (var attempt = 0; attempt < 40 && remaining != 0; attempt++)
        {
            remaining = (long)(await command.ExecuteScalarAsync())!;
            await Task.Delay(remaining == 0 ? 0 : 50);
        }

        Assert.Equal(0L, remaining);
    }
}
