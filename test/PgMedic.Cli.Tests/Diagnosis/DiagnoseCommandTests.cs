using System.Text.Json;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Diagnosis;

[Collection(SandboxCollection.Name)]
public sealed class DiagnoseCommandTests(SandboxFixture fixture)
{
    private PostgresSandbox Sandbox => fixture.Sandbox;

    [Fact]
    public async Task Diagnose_Json_HasEveryDocumentedField()
    {
        await using var held = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 2, "json-app");
        await held.ExecuteOnEachAsync("BEGIN; SELECT 1;");

        var run = await CliRun.InvokeAsync("diagnose", Sandbox.SuperuserTarget.ToUrl(), "--format", "json", "--iit-warning", "1ms", "--iit-critical", "1h");

        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.Equal("warning", root.GetProperty("status").GetString());
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("accepting", root.GetProperty("probe").GetProperty("outcome").GetString());
        Assert.Equal(40, root.GetProperty("server").GetProperty("maxConnections").GetInt32());
        Assert.Equal(37, root.GetProperty("server").GetProperty("usableSlots").GetInt32());
        Assert.True(root.GetProperty("usage").GetProperty("clientBackends").GetInt32() >= 2);
        Assert.True(root.GetProperty("usage").GetProperty("percentOfUsable").GetDouble() > 0);
        Assert.True(root.GetProperty("usage").GetProperty("byState").GetProperty("idle in transaction").GetInt32() >= 2);
        var app = root.GetProperty("groups").GetProperty("byApplication").EnumerateArray().Single(a => a.GetProperty("name").GetString() == "json-app");
        Assert.Equal(2, app.GetProperty("total").GetInt32());
        var finding = root.GetProperty("findings").EnumerateArray().First(f => f.GetProperty("code").GetString() == "idle-in-transaction");
        Assert.Equal("warning", finding.GetProperty("severity").GetString());
        Assert.Equal(held.Pids.Order(), finding.GetProperty("pids").EnumerateArray().Select(p => p.GetInt32()).Where(held.Pids.Contains).Order());
        Assert.Equal("Step 3: Identify Connection Leaks", finding.GetProperty("runbookStep").GetString());
        var fix = finding.GetProperty("fix");
        Assert.Equal("terminate", fix.GetProperty("verb").GetString());
        Assert.Equal("idle-in-transaction", fix.GetProperty("options").GetProperty("state").GetString());
        Assert.False(finding.TryGetProperty("recommendation", out _), "the JSON carries the fix as data, not a command line");
    }

    [Fact]
    public async Task Diagnose_Markdown_ReadyToPasteWithFindingsAndFix()
    {
        await using var held = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 1, "md-app");
        await held.ExecuteOnEachAsync("BEGIN; SELECT 1;");

        var run = await CliRun.InvokeAsync("diagnose", Sandbox.SuperuserTarget.ToUrl(), "--format", "markdown", "--iit-warning", "1ms", "--iit-critical", "2ms");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("### PgMedic diagnosis: **CRITICAL**", run.Out, StringComparison.Ordinal);
        Assert.Contains("| md-app | 1 |", run.Out, StringComparison.Ordinal);
        Assert.Contains("**CRITICAL `idle-in-transaction`**", run.Out, StringComparison.Ordinal);
        Assert.Contains("  - Fix: `pgmedic terminate --state idle-in-transaction", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diagnose_Table_VerdictUsageBarAndFindings()
    {
        var run = await CliRun.InvokeAsync("diagnose", Sandbox.SuperuserTarget.ToUrl());

        Assert.Contains("usable slots", run.Out.Split('\n')[0], StringComparison.Ordinal);
        Assert.Matches("usage  [█░┊]{40} ", run.Out);
        Assert.Contains("max_connections 40 − superuser_reserved 3 − reserved 0 = 37 usable", run.Out, StringComparison.Ordinal);
        Assert.Contains("INFO missing-timeouts", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diagnose_ServerDown_ExitTwoWithServerUnreachable()
    {
        var run = await CliRun.InvokeAsync("diagnose", $"postgres://app:pw@127.0.0.1:{SilentListener.UnusedPort()}/shop", "--format", "json");

        Assert.Equal(2, run.ExitCode);
        using var json = JsonDocument.Parse(run.Out);
        Assert.Equal("server-unreachable", json.RootElement.GetProperty("findings")[0].GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("usage").ValueKind);
    }

    [Theory]
    [InlineData("--saturation-warning", "95")]
    [InlineData("--iit-warning", "10m")]
    [InlineData("--idle-for", "forever")]
    public async Task Diagnose_ContradictoryOrBadThresholds_ExitThreeOneLine(string option, string value)
    {
        var run = await CliRun.InvokeAsync("diagnose", Sandbox.SuperuserTarget.ToUrl(), option, value);

        Assert.Equal(3, run.ExitCode);
        Assert.Empty(run.Out);
        Assert.Single(run.Error.TrimEnd().Split('\n'));
    }
}
