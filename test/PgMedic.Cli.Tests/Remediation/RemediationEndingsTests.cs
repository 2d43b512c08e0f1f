using System.Text.Json;
using PgMedic.Postgres.Sandbox;
using PgMedic.Postgres.Targets;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Remediation;

/// <summary>
/// Every way a remediation can end, as the user reads it: the closing line, the JSON's <c>outcome</c> and
/// <c>dryRun</c>, and an exit code that is 1 only while the problem that called for action persists.
/// </summary>
public sealed class RemediationEndingsTests : IAsyncLifetime
{
    private readonly string _audit = Path.Combine(Path.GetTempPath(), $"pgmedic-audit-{Guid.NewGuid():N}.jsonl");
    private PostgresSandbox _sandbox = null!;
    private ConnectionTarget _app = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        _app = await _sandbox.CreateRoleAsync("app", "app-endings-pw");
    }

    public async Task DisposeAsync()
    {
        await _sandbox.DisposeAsync();
        File.Delete(_audit);
    }

    private string Url => _sandbox.SuperuserTarget.ToUrl();

    [Fact]
    public async Task Terminate_PromptAnsweredNo_DeclinedNothingChangedExitZero()
    {
        await using var leaked = await HeldConnections.OpenAsync(_app, 2, "leaky-api");
        await Task.Delay(1100);
        var before = await ActivePids.OfAsync(_sandbox);

        var run = await CliRun.InvokeAsync(null, context => context with { Input = new StringReader("n\n") }, "terminate", Url, "--state", "idle", "--idle-for", "1s", "--application", "leaky-api", "--audit-log", _audit);

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains("Terminate 2 session(s)? [y/N]", run.Out, StringComparison.Ordinal);
        Assert.Contains("Declined: nothing was changed.", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Dry run", run.Out, StringComparison.Ordinal);
        Assert.Equal(before.Order(), (await ActivePids.OfAsync(_sandbox)).Order());
    }

    [Fact]
    public async Task Terminate_WithoutYes_DryRunInTextAndJsonExitZero()
    {
        await using var leaked = await HeldConnections.OpenAsync(_app, 2, "leaky-api");
        await Task.Delay(1100);
        string[] args = ["terminate", Url, "--state", "idle", "--idle-for", "1s", "--application", "leaky-api", "--audit-log", _audit];

        var table = await CliRun.InvokeAsync(args);
        var json = await CliRun.InvokeAsync([.. args, "--format", "json"]);

        Assert.True(table.ExitCode == 0, table.All);
        Assert.Contains("Dry run: nothing was changed. Re-run with --yes to execute this plan.", table.Out, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json.Out);
        Assert.Equal(("dry-run", true, 0), Ending(document));
        Assert.Equal(0, json.ExitCode);
        Assert.All(leaked.Connections, c => Assert.Equal(System.Data.ConnectionState.Open, c.State));
    }

    [Fact]
    public async Task TerminateYes_Executed_DoneWithCountsAndJsonExecuted()
    {
        await using var leaked = await HeldConnections.OpenAsync(_app, 2, "leaky-api");
        await Task.Delay(1100);

        var run = await CliRun.InvokeAsync("terminate", Url, "--state", "idle", "--idle-for", "1s", "--application", "leaky-api", "--yes", "--audit-log", _audit);

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains("Done: 2 terminated.", run.Out, StringComparison.Ordinal);
        await ServerState.WaitUntilGoneAsync(_sandbox, leaked.Pids.ToHashSet());
    }

    [Fact]
    public async Task TerminateYes_ExecutedWithJson_OutcomeExecutedDryRunFalse()
    {
        await using var leaked = await HeldConnections.OpenAsync(_app, 1, "leaky-api");
        await Task.Delay(1100);

        var run = await CliRun.InvokeAsync("terminate", Url, "--state", "idle", "--idle-for", "1s", "--application", "leaky-api", "--yes", "--audit-log", _audit, "--format", "json");

        using var document = JsonDocument.Parse(run.Out);
        Assert.Equal(("executed", false, 0), Ending(document));
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public async Task HealYes_HealthyServer_NothingToHealExitZeroInTextAndJson()
    {
        string[] args = ["heal", Url, "--app-role", "app", "--yes", "--audit-log", _audit];

        var table = await CliRun.InvokeAsync(args);
        var json = await CliRun.InvokeAsync([.. args, "--format", "json"]);

        Assert.True(table.ExitCode == 0, table.All);
        Assert.Contains("The server is healthy: nothing to heal.", table.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Dry run", table.Out, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json.Out);
        Assert.Equal(("nothing-to-do", false, 0), Ending(document));
        Assert.True(document.RootElement.GetProperty("healthy").GetBoolean());
    }

    [Fact]
    public async Task HealYes_EveryCandidateAnotherSuperusersSession_ExitOneSaysWhyAndWhatWouldAct()
    {
        await using var stuck = await HeldConnections.OpenAsync(_sandbox.SuperuserTarget, 2, "admin-console");
        await stuck.ExecuteOnEachAsync("BEGIN; SELECT 1;");
        await Task.Delay(1200);
        var before = await ActivePids.OfAsync(_sandbox);

        var run = await CliRun.InvokeAsync("heal", Url, "--iit-for", "1s", "--app-role", "app", "--yes", "--audit-log", _audit);

        Assert.True(run.ExitCode == 1, run.All);
        var ending = Assert.Single(run.Lines, l => l.StartsWith("Nothing done:", StringComparison.Ordinal));
        Assert.Contains("every matching session was spared (2, superusers' sessions)", ending, StringComparison.Ordinal);
        Assert.Contains("Next: re-run with", ending, StringComparison.Ordinal);
        Assert.DoesNotContain("Dry run", run.Out, StringComparison.Ordinal);
        Assert.Equal(before.Order(), (await ActivePids.OfAsync(_sandbox)).Order());
    }

    [Fact]
    public async Task HealYes_AppLeakHealedButASparedTransactionStaysOpen_VerificationFailsExitOneWithWhyAndNext()
    {
        await using var spared = await HeldConnections.OpenAsync(_sandbox.SuperuserTarget, 1, "admin-console");
        await spared.ExecuteOnEachAsync("BEGIN; SELECT 1;");
        await using var leaked = await HeldConnections.OpenAsync(_app, 2, "forgot-commit");
        await leaked.ExecuteOnEachAsync("BEGIN; SELECT 1;");
        await Task.Delay(1200);

        var table = await CliRun.InvokeAsync("heal", Url, "--iit-for", "1s", "--app-role", "app", "--yes", "--audit-log", _audit);

        Assert.True(table.ExitCode == 1, table.All);
        var ending = Assert.Single(table.Lines, l => l.StartsWith("Not healthy after every step:", StringComparison.Ordinal));
        Assert.Contains("1 session(s) heal may not act on were spared (superusers' sessions). Next: re-run with", ending, StringComparison.Ordinal);
        await ServerState.WaitUntilGoneAsync(_sandbox, leaked.Pids.ToHashSet());
        Assert.Contains(spared.Pids[0], await ActivePids.OfAsync(_sandbox));

        await using var again = await HeldConnections.OpenAsync(_app, 1, "forgot-commit");
        await again.ExecuteOnEachAsync("BEGIN; SELECT 1;");
        await Task.Delay(1200);
        var json = await CliRun.InvokeAsync("heal", Url, "--iit-for", "1s", "--app-role", "app", "--yes", "--audit-log", _audit, "--format", "json");

        Assert.True(json.ExitCode == 1, json.All);
        using var document = JsonDocument.Parse(json.Out);
        Assert.Equal(("executed", false, 1), Ending(document));
        Assert.False(document.RootElement.GetProperty("healthy").GetBoolean());
        var terminated = document.RootElement.GetProperty("steps").EnumerateArray()
            .SelectMany(s => s.GetProperty("results").EnumerateArray())
            .Where(r => r.GetProperty("result").GetString() == "terminated")
            .Select(r => r.GetProperty("action").GetProperty("pid").GetInt32());
        Assert.Equal(again.Pids, terminated);
    }

    private static (string? Outcome, bool DryRun, int ExitCode) Ending(JsonDocument document) =>
        (document.RootElement.GetProperty("outcome").GetString(),
         document.RootElement.GetProperty("dryRun").GetBoolean(),
         document.RootElement.GetProperty("exitCode").GetInt32());
}
