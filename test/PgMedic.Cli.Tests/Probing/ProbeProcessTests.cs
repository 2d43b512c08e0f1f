using System.Text.Json;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Probing;

/// <summary>
/// <c>pgmedic probe</c> as its own process — the native executable under test.sh — the way a monitoring
/// system runs it: exit code, one JSON document on stdout, the password nowhere.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class ProbeProcessTests(SandboxFixture fixture)
{
    private PostgresSandbox Sandbox => fixture.Sandbox;

    [Fact]
    public async Task ProbeProcess_AcceptingServerAsJson_ExitZeroAndMaskedTarget()
    {
        using var probe = PgMedicProcess.Start("probe", Sandbox.SuperuserTarget.ToUrl(), "--format", "json");

        var exitCode = await probe.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 0, probe.Output);
        using var json = JsonDocument.Parse(probe.Output);
        Assert.Equal("accepting", json.RootElement.GetProperty("outcome").GetString());
        Assert.StartsWith("15", json.RootElement.GetProperty("serverVersion").GetString(), StringComparison.Ordinal);
        Assert.Equal($"postgres://postgres:***@127.0.0.1:{Sandbox.Port}/postgres", json.RootElement.GetProperty("target").GetString());
        Assert.DoesNotContain(Sandbox.SuperuserPassword, probe.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProbeProcess_WrongPasswordFromDatabaseUrl_ExitOneAuthFailed()
    {
        var target = Sandbox.SuperuserTarget with { Password = "wrong-password" };
        using var probe = PgMedicProcess.Start(new Dictionary<string, string> { ["DATABASE_URL"] = target.ToUrl() }, "probe", "--format", "json");

        var exitCode = await probe.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 1, probe.Output);
        using var json = JsonDocument.Parse(probe.Output);
        Assert.Equal("auth-failed", json.RootElement.GetProperty("reason").GetString());
        Assert.DoesNotContain("wrong-password", probe.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProbeProcess_NothingListening_ExitTwoRefused()
    {
        using var probe = PgMedicProcess.Start("probe", $"postgres://postgres@127.0.0.1:{SilentListener.UnusedPort()}/postgres");

        var exitCode = await probe.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 2, probe.Output);
        Assert.Contains("no response: refused", probe.Output, StringComparison.Ordinal);
    }
}
