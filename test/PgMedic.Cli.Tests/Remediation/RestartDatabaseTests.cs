using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Remediation;

/// <summary>emergency's restart-database step against a real restart: the server goes down, PgMedic waits and carries on.</summary>
public sealed class RestartDatabaseTests : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("pgmedic-restartdb-").FullName;
    private PostgresSandbox _sandbox = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        await _sandbox.ExecuteAsync("CREATE DATABASE shop");
    }

    public async Task DisposeAsync()
    {
        await _sandbox.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task EmergencyYes_RestartDatabaseHookStopsAndLaterStartsTheServer_WaitsThenRestartsTheApp()
    {
        var before = _sandbox.PostmasterPid;
        var log = Path.Combine(_work, "hooks.log");
        var pgCtl = PostgresBinaries.Locate().PgCtl;
        var asServer = Environment.UserName == "root" ? $"runuser -u postgres -- " : string.Empty;
        var restart = $"{asServer}{pgCtl} -D {_sandbox.DataDirectory} stop -m fast -w"
            + $" && ( sleep 2; {asServer}{pgCtl} -D {_sandbox.DataDirectory} start -w -l {_sandbox.ServerLogPath} -o '-p {_sandbox.Port}' ) >/dev/null 2>&1 &";

        var run = await CliRun.InvokeAsync(
            "emergency", _sandbox.SuperuserTarget.WithDatabase("shop").ToUrl(), "--yes", "--confirm-database", "shop",
            "--restart-database-command", restart, "--database-wait", "30s",
            "--restart-command", $"echo restart-app >> {log}",
            "--audit-log", Path.Combine(_work, "audit.jsonl"));

        Assert.True(run.ExitCode == 0, run.All);
        Assert.NotEqual(before, _sandbox.PostmasterPid);
        Assert.Equal(["restart-app"], File.ReadAllLines(log));
        var wait = File.ReadAllLines(Path.Combine(_work, "audit.jsonl")).Single(l => l.Contains("\"event\":\"database-wait\"", StringComparison.Ordinal));
        Assert.Contains("\"result\":\"accepting\"", wait, StringComparison.Ordinal);
    }
}
