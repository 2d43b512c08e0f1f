using System.Text;
using PgMedic.Postgres.Sandbox;
using PgMedic.Cli.Tests.Remediation;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Secrets;

/// <summary>
/// Passwords that reach PgMedic as data — in the SQL text of sessions and statements, in what a hook
/// prints — never leave it, in any format or file: the shape rules catch SQL password literals, the
/// target's own password is caught in every encoding.
/// </summary>
public sealed class SecretsInOutputTests : IAsyncLifetime
{
    private const string SqlPassword = "Zq9-sweep-PW-in-sql";
    private const string TargetPassword = "Tp7 sweep:@/PW%é";
    private readonly string _work = Directory.CreateTempSubdirectory("pgmedic-secrets-").FullName;
    private PostgresSandbox _sandbox = null!;

    private string AuditLog => Path.Combine(_work, "audit.jsonl");

    public async Task InitializeAsync() => _sandbox = await PostgresSandbox.StartAsync();

    public async Task DisposeAsync()
    {
        await _sandbox.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task SessionsWhoseLastStatementSetAPassword_EveryReadAndTerminateOutputAndTheAuditLog_ShowNoPassword()
    {
        await _sandbox.ExecuteAsync("CREATE ROLE billing LOGIN; CREATE ROLE ops LOGIN");
        await using var held = await HeldConnections.OpenAsync(_sandbox.SuperuserTarget, 3, "secret-sql");
        var statements = new[]
        {
            $"ALTER ROLE billing PASSWORD '{SqlPassword}'",
            $"ALTER ROLE ops WITH ENCRYPTED PASSWORD '{SqlPassword}' VALID UNTIL 'infinity'",
            $"SELECT 'host=db user=app password={SqlPassword}' AS dblink_conninfo",
        };
        for (var i = 0; i < statements.Length; i++)
        {
            await new Npgsql.NpgsqlCommand(statements[i], held.Connections[i]).ExecuteNonQueryAsync();
        }

        await Task.Delay(50);
        var url = _sandbox.SuperuserTarget.ToUrl();
        var outputs = new List<CliRun>();
        foreach (var format in new[] { "table", "json", "markdown" })
        {
            outputs.Add(await CliRun.InvokeAsync("activity", url, "--format", format));
            outputs.Add(await CliRun.InvokeAsync("slow-queries", url, "--format", format));
        }

        var terminate = await CliRun.InvokeAsync("terminate", url, "--state", "idle", "--idle-for", "1ms", "--application", "secret-sql", "--include-superusers", "--yes", "--audit-log", AuditLog, "--format", "json");
        outputs.Add(terminate);

        Assert.True(terminate.ExitCode == 0, terminate.All);
        Assert.Contains(outputs, o => o.Out.Contains("ALTER ROLE billing PASSWORD '***'", StringComparison.Ordinal));
        Assert.All(outputs, o => Assert.DoesNotContain(SqlPassword, o.All, StringComparison.Ordinal));
        var audit = await File.ReadAllTextAsync(AuditLog);
        Assert.Contains("terminated", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(SqlPassword, audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmergencyHooksThatPrintThePassword_TableJsonMarkdownAndAuditLog_ShowItInNoEncoding()
    {
        var ops = await _sandbox.CreateRoleAsync("oncall", TargetPassword, "SUPERUSER");
        string[] forms = [TargetPassword, Uri.EscapeDataString(TargetPassword), Convert.ToBase64String(Encoding.UTF8.GetBytes(TargetPassword))];
        var echo = string.Join("; ", forms.Select(f => $"echo 'seen: {f.Replace("'", "'\\''", StringComparison.Ordinal)}'"));
        var runs = new List<CliRun>();
        foreach (var format in new[] { "table", "json", "markdown" })
        {
            runs.Add(await CliRun.InvokeAsync(
                "emergency", ops.ToUrl(), "--yes", "--confirm-database", "postgres",
                "--maintenance-on-command", echo,
                "--restart-command", $"{echo}; echo 'PGPASSWORD={TargetPassword.Replace("'", "'\\''", StringComparison.Ordinal)} psql' >&2",
                "--maintenance-off-command", "echo off",
                "--audit-log", AuditLog, "--format", format));
        }

        Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.All));
        Assert.All(runs, r => Assert.Contains("seen: ***", r.Out, StringComparison.Ordinal));
        var audit = await File.ReadAllTextAsync(AuditLog);
        Assert.Contains("seen: ***", audit, StringComparison.Ordinal);
        foreach (var form in forms.Append(System.Text.Json.JsonSerializer.Serialize(TargetPassword).Trim('"')))
        {
            Assert.All(runs, r => Assert.DoesNotContain(form, r.All, StringComparison.Ordinal));
            Assert.DoesNotContain(form, audit, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("directory")]
    [InlineData("/proc/version")]
    [InlineData("file-as-parent")]
    public async Task TerminateYes_AuditLogThatCannotBeWritten_ExitThreeOneLineBeforeAnythingIsDone(string kind)
    {
        await using var held = await HeldConnections.OpenAsync(_sandbox.SuperuserTarget, 2, "victim");
        await File.WriteAllTextAsync(Path.Combine(_work, "plain-file"), "x");
        var path = kind switch
        {
            "directory" => _work,
            "file-as-parent" => Path.Combine(_work, "plain-file", "audit.jsonl"),
            _ => kind,
        };
        await Task.Delay(20);

        var run = await CliRun.InvokeAsync("terminate", _sandbox.SuperuserTarget.ToUrl(), "--state", "idle", "--idle-for", "1ms", "--application", "victim", "--include-superusers", "--yes", "--audit-log", path);

        Assert.Equal(3, run.ExitCode);
        var line = Assert.Single(run.Error.TrimEnd().Split('\n'));
        Assert.Contains($"the audit log '{path}' cannot be appended to", line, StringComparison.Ordinal);
        Assert.Contains("nothing was done", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.All, StringComparison.Ordinal);
        Assert.Equal(held.Pids.Order(), (await ActivePids.OfAsync(_sandbox)).Intersect(held.Pids).Order());
    }
}
