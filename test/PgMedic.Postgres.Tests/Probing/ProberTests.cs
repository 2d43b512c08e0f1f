using System.Diagnostics;
using PgMedic.Core.Common;
using PgMedic.Core.Probing;
using PgMedic.Postgres.Probing;
using PgMedic.Postgres.Sandbox;
using PgMedic.Postgres.Targets;
using PgMedic.Testing;

namespace PgMedic.Postgres.Tests.Probing;

[Collection(SandboxCollection.Name)]
public sealed class ProberTests(SandboxFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private PostgresSandbox Sandbox => fixture.Sandbox;

    [Fact]
    public async Task Probe_RunningServer_AcceptingWithVersionAndLatency()
    {
        var result = await Prober.ProbeAsync(Sandbox.SuperuserTarget, Timeout, CancellationToken.None);

        Assert.Equal(ProbeOutcome.Accepting, result.Outcome);
        Assert.Equal(ExitCode.Ok, result.ExitCode);
        Assert.Null(result.Reason);
        Assert.StartsWith("15", result.ServerVersion, StringComparison.Ordinal);
        Assert.True(result.ConnectMilliseconds > 0);
        Assert.True(result.QueryMilliseconds > 0);
    }

    [Fact]
    public async Task Probe_WrongPassword_RejectingAuthFailed()
    {
        var result = await Prober.ProbeAsync(Sandbox.SuperuserTarget with { Password = "not-the-password" }, Timeout, CancellationToken.None);

        Assert.Equal(ProbeOutcome.Rejecting, result.Outcome);
        Assert.Equal(ProbeReason.AuthFailed, result.Reason);
        Assert.Equal("28P01", result.SqlState);
        Assert.Equal(ExitCode.Warning, result.ExitCode);
        Assert.DoesNotContain("not-the-password", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_NoPasswordGiven_RejectingAuthFailed()
    {
        var result = await Prober.ProbeAsync(Sandbox.SuperuserTarget with { Password = null }, Timeout, CancellationToken.None);

        Assert.Equal(ProbeOutcome.Rejecting, result.Outcome);
        Assert.Equal(ProbeReason.AuthFailed, result.Reason);
    }

    [Fact]
    public async Task Probe_MissingDatabase_RejectingDatabaseMissing()
    {
        var result = await Prober.ProbeAsync(Sandbox.SuperuserTarget.WithDatabase("no_such_database"), Timeout, CancellationToken.None);

        Assert.Equal(ProbeOutcome.Rejecting, result.Outcome);
        Assert.Equal(ProbeReason.DatabaseMissing, result.Reason);
        Assert.Equal("3D000", result.SqlState);
        Assert.Contains("no_such_database", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_RoleAtConnectionLimit_RejectingRoleLimit()
    {
        var role = await Sandbox.CreateRoleAsync("probe_limited", "limited-pw", "CONNECTION LIMIT 1");
        await using var held = await HeldConnections.OpenAsync(role, 1);

        var result = await Prober.ProbeAsync(role, Timeout, CancellationToken.None);

        Assert.Equal(ProbeOutcome.Rejecting, result.Outcome);
        Assert.Equal(ProbeReason.RoleLimit, result.Reason);
        Assert.Equal("53300", result.SqlState);
    }

    [Fact]
    public async Task Probe_DatabaseAtConnectionLimit_RejectingDatabaseLimit()
    {
        await Sandbox.ExecuteAsync("CREATE DATABASE probe_limited_db CONNECTION LIMIT 1");
        var role = await Sandbox.CreateRoleAsync("probe_db_user", "db-user-pw", database: "probe_limited_db");
        await using var held = await HeldConnections.OpenAsync(role, 1);

        var result = await Prober.ProbeAsync(role, Timeout, CancellationToken.None);

        Assert.Equal(ProbeReason.DatabaseLimit, result.Reason);
        Assert.Equal(ExitCode.Warning, result.ExitCode);
    }

    [Fact]
    public async Task Probe_NothingListening_NoResponseRefused()
    {
        var target = new ConnectionTarget { Host = "127.0.0.1", Port = SilentListener.UnusedPort(), User = "app", Password = "pw" };

        var result = await Prober.ProbeAsync(target, Timeout, CancellationToken.None);

        Assert.Equal(ProbeOutcome.NoResponse, result.Outcome);
        Assert.Equal(ProbeReason.Refused, result.Reason);
        Assert.Equal(ExitCode.Critical, result.ExitCode);
    }

    [Fact]
    public async Task Probe_UnknownHostName_NoResponseDns()
    {
        var target = new ConnectionTarget { Host = "no-such-host.invalid", Port = 5432, User = "app" };

        var result = await Prober.ProbeAsync(target, Timeout, CancellationToken.None);

        Assert.Equal(ProbeOutcome.NoResponse, result.Outcome);
        Assert.Equal(ProbeReason.Dns, result.Reason);
    }

    [Fact]
    public async Task Probe_SslRequiredButServerHasNone_NoResponseTls()
    {
        var result = await Prober.ProbeAsync(Sandbox.SuperuserTarget with { SslMode = "require" }, Timeout, CancellationToken.None);

        Assert.Equal(ProbeOutcome.NoResponse, result.Outcome);
        Assert.Equal(ProbeReason.Tls, result.Reason);
    }

    [Fact]
    public async Task Probe_ListenerThatNeverAnswers_TimesOutWithinTimeoutPlusOneSecond()
    {
        using var listener = new SilentListener();
        var target = new ConnectionTarget { Host = "127.0.0.1", Port = listener.Port, User = "app", Password = "pw" };
        var timeout = TimeSpan.FromSeconds(1.5);
        var stopwatch = Stopwatch.StartNew();

        var result = await Prober.ProbeAsync(target, timeout, CancellationToken.None);

        stopwatch.Stop();
        Assert.Equal(ProbeOutcome.NoResponse, result.Outcome);
        Assert.Equal(ProbeReason.Timeout, result.Reason);
        Assert.InRange(stopwatch.Elapsed, timeout - TimeSpan.FromMilliseconds(100), timeout + TimeSpan.FromSeconds(1));
    }
}
