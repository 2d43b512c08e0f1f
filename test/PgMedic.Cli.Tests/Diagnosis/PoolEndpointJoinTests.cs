using System.Text.Json;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Diagnosis;

[Collection(SandboxCollection.Name)]
public sealed class PoolEndpointJoinTests(SandboxFixture fixture)
{
    private PostgresSandbox Sandbox => fixture.Sandbox;

    [Fact]
    public async Task DiagnosePoolEndpoint_SampleServiceLeaking_FindingNamesCallSiteForTheRightPids()
    {
        var role = await Sandbox.CreateRoleAsync("sample_app", "sample-pw");
        await using var service = await SampleService.StartAsync(role);
        var leaked = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            leaked.Add(await service.LeakAsync(inTransaction: true));
        }

        await using var unrelated = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 1, "not-the-sample");
        await unrelated.ExecuteOnEachAsync("BEGIN; SELECT 1;");
        await Task.Delay(200);

        var run = await CliRun.InvokeAsync("diagnose", Sandbox.SuperuserTarget.ToUrl(), "--pool-endpoint", service.PoolEndpoint.ToString(), "--iit-warning", "100ms", "--iit-critical", "1h", "--format", "json");

        using var json = JsonDocument.Parse(run.Out);
        var finding = json.RootElement.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("code").GetString() == "idle-in-transaction");
        var holders = finding.GetProperty("holders").EnumerateArray().ToList();
        var (file, line) = SampleService.LeakCallSite();
        Assert.Equal(leaked.Order(), holders.Select(h => h.GetProperty("backendPid").GetInt32()).Order());
        Assert.All(holders, h =>
        {
            Assert.Equal(file, h.GetProperty("callSite").GetProperty("file").GetString());
            Assert.Equal(line, h.GetProperty("callSite").GetProperty("line").GetInt32());
            Assert.Equal("LeakAsync", h.GetProperty("callSite").GetProperty("member").GetString());
        });
        Assert.Contains($"held at OrdersApi.cs:{line} (LeakAsync)", finding.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Contains(unrelated.Pids[0], finding.GetProperty("pids").EnumerateArray().Select(p => p.GetInt32()));
        var pool = json.RootElement.GetProperty("pools")[0];
        Assert.Equal(3, pool.GetProperty("checkedOut").GetInt32());
        Assert.Equal(JsonValueKind.Null, pool.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task Pools_GuardServiceLeaking_NumbersAndHoldersAsFromAPythonService()
    {
        var role = await Sandbox.CreateRoleAsync("sample_pools", "sample-pools-pw");
        await using var service = await SampleService.StartAsync(role);
        var leaked = new List<int> { await service.LeakAsync(inTransaction: true), await service.LeakAsync(inTransaction: false) };

        // Once the pool calls both holders leaked (each crosses the leak age on its own), the table and the JSON read the same state.
        var json = await CliRun.InvokeAsync("pools", service.PoolEndpoint.ToString(), "--format", "json");
        for (var waited = 0; LeakedHolders(json) < 2 && waited < 150; waited++)
        {
            await Task.Delay(100);
            json = await CliRun.InvokeAsync("pools", service.PoolEndpoint.ToString(), "--format", "json");
        }

        var table = await CliRun.InvokeAsync("pools", service.PoolEndpoint.ToString());

        Assert.True(json.ExitCode == 1, json.All);
        using var document = JsonDocument.Parse(json.Out);
        var pool = Assert.Single(document.RootElement.GetProperty("pools").EnumerateArray());
        Assert.Equal(2, pool.GetProperty("checkedOut").GetInt32());
        Assert.Equal(JsonValueKind.Number, pool.GetProperty("waiting").ValueKind);
        var holders = pool.GetProperty("holders").EnumerateArray().ToList();
        Assert.Equal(leaked.Order(), holders.Select(h => h.GetProperty("backendPid").GetInt32()).Order());
        var (file, line) = SampleService.LeakCallSite();
        Assert.All(holders, h => Assert.Equal((file, line, "LeakAsync"), (h.GetProperty("callSite").GetProperty("file").GetString(), h.GetProperty("callSite").GetProperty("line").GetInt32(), h.GetProperty("callSite").GetProperty("member").GetString())));
        Assert.All(holders, h => Assert.True(h.GetProperty("leaked").GetBoolean()));
        Assert.Contains($"OrdersApi.cs:{line} (LeakAsync)", table.Out, StringComparison.Ordinal);
        Assert.Equal(json.ExitCode, table.ExitCode);
    }

    private static int LeakedHolders(CliRun run)
    {
        if (run.ExitCode is not (0 or 1))
        {
            return 0;
        }

        using var document = JsonDocument.Parse(run.Out);
        return document.RootElement.GetProperty("pools").EnumerateArray()
            .SelectMany(p => p.GetProperty("holders").EnumerateArray())
            .Count(h => h.GetProperty("leaked").GetBoolean());
    }

    [Fact]
    public async Task DiagnosePoolEndpoint_ServiceDown_DiagnosisStillAnswersAndSaysWhy()
    {
        var run = await CliRun.InvokeAsync("diagnose", Sandbox.SuperuserTarget.ToUrl(), "--pool-endpoint", $"http://127.0.0.1:{SilentListener.UnusedPort()}/health/pool", "--format", "json");

        Assert.NotEqual(3, run.ExitCode);
        using var json = JsonDocument.Parse(run.Out);
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("pools")[0].GetProperty("error").GetString()));
    }

    [Fact]
    public async Task DiagnosePoolEndpoint_NotAUrl_ExitThree()
    {
        var run = await CliRun.InvokeAsync("diagnose", Sandbox.SuperuserTarget.ToUrl(), "--pool-endpoint", "localhost:5080");

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("is not an http(s) URL", run.Error, StringComparison.Ordinal);
    }
}
