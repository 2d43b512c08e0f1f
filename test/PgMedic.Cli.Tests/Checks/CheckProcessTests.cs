using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Checks;

/// <summary><c>pgmedic check</c> as its own process — the native executable under test.sh — as Nagios or Icinga runs it.</summary>
[Collection(SandboxCollection.Name)]
public sealed class CheckProcessTests(SandboxFixture fixture)
{
    private PostgresSandbox Sandbox => fixture.Sandbox;

    [Fact]
    public async Task CheckProcess_Connections_OkLineWithPerfData()
    {
        using var check = PgMedicProcess.Start("check", "connections", Sandbox.SuperuserTarget.ToUrl());

        var exitCode = await check.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 0, check.Output);
        Assert.Matches(@"^POSTGRES_CONNECTIONS OK - \d+ of 37 usable slots in use .*\| connections=\d+;29.6;33.3;0;37 ", check.Output);
    }

    [Fact]
    public async Task CheckProcess_HeldConnectionsOverWarning_ExitOneWarning()
    {
        await using var held = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 3, "check-load");
        using var check = PgMedicProcess.Start("check", "connections", Sandbox.SuperuserTarget.ToUrl(), "--warning", "3", "--critical", "100");

        var exitCode = await check.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 1, check.Output);
        Assert.StartsWith("POSTGRES_CONNECTIONS WARNING", check.Output, StringComparison.Ordinal);
    }
}
