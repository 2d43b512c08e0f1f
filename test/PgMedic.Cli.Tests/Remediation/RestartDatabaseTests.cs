using System.Text.Json;
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
        var restart = $"{PgCtl("stop -m fast -w")} && ( sleep 2; {PgCtl($"start -w -l {_sandbox.ServerLogPath} -o '-p {_sandbox.Port}'")} ) >/dev/null 2>&1 &";

        var run = await CliRun.InvokeAsync(
            "emergency", Url, "--yes", "--confirm-database", "shop",
            "--restart-database-command", restart, "--database-wait", "30s",
            "--restart-command", $"echo restart-app >> {log}",
            "--audit-log", Audit);

        Assert.True(run.ExitCode == 0, run.All);
        Assert.NotEqual(before, _sandbox.PostmasterPid);
        Assert.Equal(["restart-app"], File.ReadAllLines(log));

        // The wait saw the server down before it saw it back: every answer it got, in order.
        var waits = WaitRecords();
        var back = waits.FindIndex(w => w.Result == "accepting");
        Assert.True(back > 0, string.Join('\n', waits));
        Assert.All(waits.Take(back), w => Assert.Equal("not-accepting", w.Result));
        Assert.Contains(waits.Take(back), w => w.Detail.StartsWith("probe no-response", StringComparison.Ordinal));
        Assert.True(waits[back].Milliseconds >= 1500, $"back after {waits[back].Milliseconds} ms, but the hook starts it 2 s after the stop");
        Assert.Contains("Database: no-response", run.Out, StringComparison.Ordinal);
        Assert.Contains("Database: accepting connections again after", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmergencyYes_ServerNeverComesBackWithinTheWait_StopsExitTwoSaysWhereAndWhatNext()
    {
        var log = Path.Combine(_work, "hooks.log");

        var run = await CliRun.InvokeAsync(
            "emergency", Url, "--yes", "--confirm-database", "shop",
            "--restart-database-command", PgCtl("stop -m fast -w"), "--database-wait", "3s",
            "--restart-command", $"echo restart-app >> {log}",
            "--maintenance-off-command", $"echo maintenance-off >> {log}",
            "--audit-log", Audit);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Stopped at step 2b (restart-database)", run.Out, StringComparison.Ordinal);
        Assert.Contains("The server did not accept connections within 3s of the restart (last answer: no-response refused", run.Out, StringComparison.Ordinal);
        Assert.Contains("Start PostgreSQL by hand and read its log", run.Out, StringComparison.Ordinal);
        Assert.Contains("Maintenance mode is still ON.", run.Out, StringComparison.Ordinal);
        Assert.False(File.Exists(log), "restart-app and maintenance-off must not run while the database is down");
        var waits = WaitRecords();
        Assert.DoesNotContain(waits, w => w.Result == "accepting");
        Assert.Equal("gave-up", waits[^1].Result);
        Assert.Contains(File.ReadAllLines(Audit), l => l.Contains("\"event\":\"stopped\"", StringComparison.Ordinal) && l.Contains("restart-database", StringComparison.Ordinal));
    }

    private string Url => _sandbox.SuperuserTarget.WithDatabase("shop").ToUrl();

    private string Audit => Path.Combine(_work, "audit.jsonl");

    /// <summary>pg_ctl on the sandbox's data directory, as the postgres OS user when the tests run as root.</summary>
    private string PgCtl(string arguments)
    {
        var asServer = Environment.UserName == "root" ? "runuser -u postgres -- " : string.Empty;
        return $"{asServer}{PostgresBinaries.Locate().PgCtl} -D {_sandbox.DataDirectory} {arguments}";
    }

    private List<WaitRecord> WaitRecords() =>
        [.. File.ReadAllLines(Audit)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("event").GetString() == "database-wait")
            .Select(e => new WaitRecord(e.GetProperty("result").GetString()!, e.GetProperty("detail").GetString()!, e.GetProperty("durationMilliseconds").GetDouble()))];

    private sealed record WaitRecord(string Result, string Detail, double Milliseconds);
}
