using PgMedic.Core.Probing;
using PgMedic.Postgres.Probing;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Postgres.Tests.Probing;

/// <summary>Outcomes that need a server of their own: full, stopped, shutting down.</summary>
public sealed class ProberOwnServerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Probe_EverySlotTakenByOrdinaryRole_RejectingTooManyClients()
    {
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { MaxConnections = 5, SuperuserReservedConnections = 0, CreatePgStatStatements = false });
        var app = await sandbox.CreateRoleAsync("app", "app-password");
        await using var held = await HeldConnections.OpenAsync(app, 5, "leaky-app");

        var result = await Prober.ProbeAsync(app, Timeout, CancellationToken.None);

        Assert.Equal(ProbeOutcome.Rejecting, result.Outcome);
        Assert.Equal(ProbeReason.TooManyClients, result.Reason);
        Assert.Equal("53300", result.SqlState);
        Assert.Contains("too many clients", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_OnlyReservedSlotsLeft_RejectingReservedSlotsOnlyButSuperuserAccepted()
    {
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { MaxConnections = 5, SuperuserReservedConnections = 3, CreatePgStatStatements = false });
        var app = await sandbox.CreateRoleAsync("app", "app-password");
        await using var held = await HeldConnections.OpenAsync(app, 2, "leaky-app");

        var asApp = await Prober.ProbeAsync(app, Timeout, CancellationToken.None);
        var asSuperuser = await Prober.ProbeAsync(sandbox.SuperuserTarget, Timeout, CancellationToken.None);

        Assert.Equal(ProbeReason.ReservedSlotsOnly, asApp.Reason);
        Assert.Equal(ProbeOutcome.Accepting, asSuperuser.Outcome);
    }

    [Fact]
    public async Task Probe_StoppedServer_NoResponseRefused()
    {
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        await sandbox.StopServerAsync();

        var result = await Prober.ProbeAsync(sandbox.SuperuserTarget, Timeout, CancellationToken.None);

        Assert.Equal(ProbeOutcome.NoResponse, result.Outcome);
        Assert.Equal(ProbeReason.Refused, result.Reason);
    }

    [Fact]
    public async Task Probe_ServerShuttingDown_RejectingShuttingDown()
    {
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        var held = await HeldConnections.OpenAsync(sandbox.SuperuserTarget, 1);
        await sandbox.BeginSmartShutdownAsync();

        // pg_ctl -W returns once the signal is sent; the postmaster acts on it a moment later.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        ProbeResult result;
        do
        {
            result = await Prober.ProbeAsync(sandbox.SuperuserTarget, Timeout, CancellationToken.None);
        }
        while (result.Outcome == ProbeOutcome.Accepting && waited.Elapsed < TimeSpan.FromSeconds(5) && await Pause());

        await held.DisposeAsync();

        Assert.Equal(ProbeOutcome.Rejecting, result.Outcome);
        Assert.Equal(ProbeReason.ShuttingDown, result.Reason);
        Assert.Equal("57P03", result.SqlState);
    }

    private static async Task<bool> Pause()
    {
        await Task.Delay(50);
        return true;
    }
}
