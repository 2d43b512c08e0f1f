using System.Text.Json;

namespace PgMedic.Cli.Tests.Probing;

/// <summary>
/// The runbook's own DATABASE_URL from a laptop: Railway's private host does not resolve outside Railway
/// (it does not on this machine either, for real), and the advice says where to run the command instead.
/// </summary>
public sealed class PrivateHostTests
{
    private const string RailwayUrl = "postgres://postgres:railway-secret@postgres.railway.internal:5432/railway";

    [Fact]
    public async Task Probe_RailwayPrivateHostDoesNotResolve_SaysRunItInsideRailwayOrThroughThePublicProxy()
    {
        var run = await CliRun.InvokeAsync("probe", RailwayUrl);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no response: dns", run.Out, StringComparison.Ordinal);
        Assert.Contains("network    Railway private network (.railway.internal)", run.Out, StringComparison.Ordinal);
        Assert.Contains("Next: This host resolves only inside Railway's private network (postgres.railway.internal)", run.Out, StringComparison.Ordinal);
        Assert.Contains("railway ssh --service <your app's service>, then pgmedic probe \"$DATABASE_URL\" inside it", run.Out, StringComparison.Ordinal);
        Assert.Contains("railway run --service postgres -- sh -c 'pgmedic probe \"$DATABASE_PUBLIC_URL\"'", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("check the host in the target and DNS", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("railway-secret", run.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_RailwayPrivateHostAsJson_PlatformAsData()
    {
        var run = await CliRun.InvokeAsync("probe", RailwayUrl, "--format", "json");

        Assert.Equal(2, run.ExitCode);
        var root = JsonDocument.Parse(run.Out).RootElement;
        Assert.Equal("dns", root.GetProperty("reason").GetString());
        var network = root.GetProperty("privateNetwork");
        Assert.Equal("railway", network.GetProperty("platform").GetString());
        Assert.Equal(".railway.internal", network.GetProperty("suffix").GetString());
        Assert.Equal("postgres", network.GetProperty("service").GetString());
        Assert.Contains("only inside Railway's private network", root.GetProperty("advice").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diagnose_RailwayPrivateHostDoesNotResolve_FixRunsDiagnoseInsideRailway()
    {
        var run = await CliRun.InvokeAsync("diagnose", RailwayUrl);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("CRITICAL server-unreachable: no response from the server: dns", run.Out, StringComparison.Ordinal);
        Assert.Contains("fix: This host resolves only inside Railway's private network", run.Out, StringComparison.Ordinal);
        Assert.Contains("railway run --service postgres -- sh -c 'pgmedic diagnose \"$DATABASE_PUBLIC_URL\"'", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("railway-secret", run.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_OrdinaryNameDoesNotResolve_PlainDnsAdviceNoPlatform()
    {
        var run = await CliRun.InvokeAsync("probe", "postgres://app@no-such-host.invalid:5432/shop", "--format", "json");

        Assert.Equal(2, run.ExitCode);
        var root = JsonDocument.Parse(run.Out).RootElement;
        Assert.Equal("dns", root.GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("privateNetwork").ValueKind);
        Assert.Equal("The host name does not resolve: check the host in the target and DNS.", root.GetProperty("advice").GetString());
    }
}
