using System.Text.Json;
using System.Text.RegularExpressions;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Probing;

/// <summary>
/// A full server in its two states, on a real PostgreSQL: 6 − 2 reserved = 4 usable slots. With the four
/// usable ones taken only superusers get in, and "as a superuser" is advice that works; with the two
/// reserved ones taken too even superusers are refused, and every verb must give exits that need no login.
/// </summary>
public sealed class FullServerTests : IAsyncLifetime
{
    private readonly string _auditLog = Path.Combine(Path.GetTempPath(), $"pgmedic-audit-{Guid.NewGuid():N}.jsonl");
    private PostgresSandbox _sandbox = null!;
    private Postgres.Targets.ConnectionTarget _app = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { MaxConnections = 6, SuperuserReservedConnections = 2, CreatePgStatStatements = false });
        _app = await _sandbox.CreateRoleAsync("app", "app-pw");
    }

    public async Task DisposeAsync()
    {
        await _sandbox.DisposeAsync();
        File.Delete(_auditLog);
    }

    [Fact]
    public async Task EveryVerb_EvenSuperusersRefused_ExitTwoWithExitsThatNeedNoLoginNeverAsASuperuser()
    {
        await using var held = await HeldConnections.OpenAsync(_app, 4, "leaky-api");
        await held.AddAsync(_sandbox.SuperuserTarget, 2, "admin-console");
        var url = _sandbox.SuperuserTarget.ToUrl();

        var probe = await CliRun.InvokeAsync("probe", url);
        var probeJson = await CliRun.InvokeAsync("probe", url, "--format", "json");
        var diagnose = await CliRun.InvokeAsync("diagnose", url);
        var heal = await CliRun.InvokeAsync("heal", url, "--yes", "--audit-log", _auditLog);
        var check = await CliRun.InvokeAsync("check", "connections", url);
        var readers = await ReadersAsync(url);

        Assert.Equal((2, 2, 2, 2), (probe.ExitCode, diagnose.ExitCode, heal.ExitCode, check.ExitCode));
        foreach (var (verb, run) in readers)
        {
            Assert.True(run.ExitCode == 2, $"{verb}: exit {run.ExitCode}: {run.All}");
            Assert.StartsWith($"pgmedic: cannot read {_sandbox.SuperuserTarget.Masked}: ", run.Error, StringComparison.Ordinal);
            Assert.Contains("too-many-clients", run.Error, StringComparison.Ordinal);
            Assert.Contains("lifeline", Flat(run.Error), StringComparison.Ordinal);
            Assert.Contains("kill -TERM <pid>", Flat(run.Error), StringComparison.Ordinal);
            Assert.DoesNotContain("as a superuser", Flat(run.All), StringComparison.Ordinal);
        }

        Assert.Equal(2, JsonDocument.Parse(probeJson.Out).RootElement.GetProperty("exitCode").GetInt32());
        Assert.Contains("too-many-clients", probe.Out, StringComparison.Ordinal);
        Assert.Contains("Next: every connection slot is taken, the superuser-reserved ones too: even superusers are refused, so logging in to look will not work. What still works:", probe.Out, StringComparison.Ordinal);
        Assert.Contains("connection-rejected: the server refuses every login, superusers' too", diagnose.Out, StringComparison.Ordinal);
        Assert.Contains("runbook: Step 4: Emergency Database Restart", diagnose.Out, StringComparison.Ordinal);
        Assert.StartsWith($"pgmedic: cannot connect to {_sandbox.SuperuserTarget.Masked}: too-many-clients", heal.Error, StringComparison.Ordinal);
        Assert.Contains("even superusers are refused, so nothing can act through a login", heal.Error, StringComparison.Ordinal);
        Assert.StartsWith("POSTGRES_CONNECTIONS CRITICAL - cannot connect: too-many-clients (sorry, too many clients already) — every connection slot is taken, the superuser-reserved ones too: even superusers are refused", check.Out, StringComparison.Ordinal);
        foreach (var output in new[] { probe.All, diagnose.All, heal.All }.Select(Flat))
        {
            Assert.Contains("lifeline", output, StringComparison.Ordinal);
            Assert.Contains("PAUSE <db>;", output, StringComparison.Ordinal);
            Assert.Contains("kill -TERM <pid>", output, StringComparison.Ordinal);
            Assert.Contains("pg_ctl restart", output, StringComparison.Ordinal);
        }

        foreach (var output in new[] { probe.All, probeJson.All, diagnose.All, heal.All, check.All }.Select(Flat))
        {
            Assert.DoesNotContain("as a superuser", output, StringComparison.Ordinal);
            Assert.DoesNotContain(_sandbox.SuperuserPassword, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task EveryVerb_OnlyReservedSlotsLeft_SendsToASuperuserWhoReallyGetsIn()
    {
        await using var held = await HeldConnections.OpenAsync(_app, 4, "leaky-api");
        var url = _app.ToUrl();

        var probe = await CliRun.InvokeAsync("probe", url);
        var diagnose = await CliRun.InvokeAsync("diagnose", url);
        var heal = await CliRun.InvokeAsync("heal", url, "--yes", "--audit-log", _auditLog);
        var check = await CliRun.InvokeAsync("check", "connections", url);
        var asSuperuser = await CliRun.InvokeAsync("diagnose", _sandbox.SuperuserTarget.ToUrl());
        var readers = await ReadersAsync(url);

        Assert.Equal((1, 2, 2, 2), (probe.ExitCode, diagnose.ExitCode, heal.ExitCode, check.ExitCode));
        foreach (var (verb, run) in readers)
        {
            // The probe's code, as their pages say: 1, the server refused this login.
            Assert.True(run.ExitCode == 1, $"{verb}: exit {run.ExitCode}: {run.All}");
            Assert.Contains("reserved-slots-only", run.Error, StringComparison.Ordinal);
            Assert.Contains("as a superuser", Flat(run.Error), StringComparison.Ordinal);
            Assert.DoesNotContain("kill -TERM", run.All, StringComparison.Ordinal);
        }

        Assert.Contains("reserved-slots-only", probe.Out, StringComparison.Ordinal);
        Assert.Contains("Next: Only the slots reserved for superusers are left: diagnose as a superuser", probe.Out, StringComparison.Ordinal);
        Assert.Contains("fix: pgmedic diagnose <target as a superuser>", diagnose.Out, StringComparison.Ordinal);
        Assert.Contains("only the superuser-reserved slots are left: re-run it as a superuser", heal.Error, StringComparison.Ordinal);
        Assert.StartsWith("POSTGRES_CONNECTIONS CRITICAL - cannot connect: reserved-slots-only", check.Out, StringComparison.Ordinal);
        Assert.Contains("only the slots reserved for superusers are left: ordinary roles are refused, a superuser still gets in", check.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("kill -TERM", probe.All + diagnose.All + heal.All, StringComparison.Ordinal);

        // The advice holds: a superuser gets in and sees the four usable slots taken.
        Assert.Equal(2, asSuperuser.ExitCode);
        Assert.Contains("100 % of usable connection slots in use (4/4); ordinary roles are refused; 1 of 2 reserved slot(s) left, for superusers only", Flat(asSuperuser.Out), StringComparison.Ordinal);
    }

    /// <summary>The read commands that need their one connection first: each answers with the probe's code and next step.</summary>
    private static async Task<IReadOnlyList<(string Verb, CliRun Run)>> ReadersAsync(string url)
    {
        var runs = new List<(string, CliRun)>();
        foreach (var verb in new[] { "top", "activity", "slow-queries" })
        {
            runs.Add((verb, await CliRun.InvokeAsync(verb, url)));
        }

        return runs;
    }

    // Tables wrap long lines at the piped width; a phrase may continue on the next line.
    private static string Flat(string output) => Regex.Replace(output, @"\s+", " ");
}
