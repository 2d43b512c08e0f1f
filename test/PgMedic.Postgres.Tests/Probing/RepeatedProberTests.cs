using System.Diagnostics;
using PgMedic.Core.Probing;
using PgMedic.Postgres.Probing;
using PgMedic.Postgres.Sandbox;
using PgMedic.Postgres.Targets;
using PgMedic.Testing;

namespace PgMedic.Postgres.Tests.Probing;

/// <summary>
/// The monitor's repeated probe against a real server: the same answers as Npgsql's <see cref="Prober"/> in every
/// outcome, with SCRAM's salted password derived once per salt the server sends.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class RepeatedProberTests(SandboxFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private PostgresSandbox Sandbox => fixture.Sandbox;

    [Fact]
    public async Task ProbeThreeTimes_ScramLogin_AcceptingAsNpgsqlSaysWithOneDerivation()
    {
        var prober = new RepeatedProber(Sandbox.SuperuserTarget);
        var npgsql = await Prober.ProbeAsync(Sandbox.SuperuserTarget, Timeout, CancellationToken.None);

        var results = new List<ProbeResult>();
        for (var i = 0; i < 3; i++)
        {
            results.Add(await prober.ProbeAsync(Timeout, CancellationToken.None));
        }

        Assert.All(results, r => Assert.Equal((npgsql.Target, ProbeOutcome.Accepting, (string?)null, npgsql.ServerVersion), (r.Target, r.Outcome, r.Reason, r.ServerVersion)));
        Assert.All(results, r => Assert.True(r.ConnectMilliseconds > 0 && r.QueryMilliseconds > 0));
        Assert.Equal(1, prober.Derivations);
        Assert.False(prober.ThroughNpgsql);

        // Each login its own server process, named as Npgsql names it (the monitor leaves it out of a snapshot read meanwhile).
        Assert.True(npgsql.BackendPid > 0);
        Assert.All(results, r => Assert.True(r.BackendPid > 0));
        Assert.Equal(4, results.Select(r => r.BackendPid).Append(npgsql.BackendPid).Distinct().Count());
    }

    [Fact]
    public async Task PasswordSetAgain_NewSaltFromTheServer_DerivedAgainAndStillAccepting()
    {
        var role = await Sandbox.CreateRoleAsync("repeated_probe", "first-secret");
        var prober = new RepeatedProber(role);
        Assert.Equal(ProbeOutcome.Accepting, (await prober.ProbeAsync(Timeout, CancellationToken.None)).Outcome);

        await Sandbox.ExecuteAsync("ALTER ROLE repeated_probe PASSWORD 'first-secret'");
        var again = await prober.ProbeAsync(Timeout, CancellationToken.None);

        Assert.Equal(ProbeOutcome.Accepting, again.Outcome);
        Assert.Equal(2, prober.Derivations);
    }

    public static TheoryData<string> Failures => ["wrong-password", "missing-database", "refused", "unresolvable", "sslmode-require", "no-password"];

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task Failure_SameOutcomeReasonStateAndMessageAsNpgsql(string failure)
    {
        var target = failure switch
        {
            "wrong-password" => Sandbox.SuperuserTarget with { Password = "not-the-password" },
            "missing-database" => Sandbox.SuperuserTarget.WithDatabase("no_such_database"),
            "refused" => Sandbox.SuperuserTarget with { Port = SilentListener.UnusedPort() },
            "unresolvable" => Sandbox.SuperuserTarget with { Host = "no-such-host.invalid" },
            "sslmode-require" => Sandbox.SuperuserTarget with { SslMode = "require" },
            _ => Sandbox.SuperuserTarget with { Password = null },
        };
        var npgsql = await Prober.ProbeAsync(target, Timeout, CancellationToken.None);
        var prober = new RepeatedProber(target);

        var repeated = await prober.ProbeAsync(Timeout, CancellationToken.None);
        var twice = await prober.ProbeAsync(Timeout, CancellationToken.None);

        Assert.NotEqual(ProbeOutcome.Accepting, npgsql.Outcome);
        Assert.Equal((npgsql.Outcome, npgsql.Reason, npgsql.SqlState, npgsql.Message), (repeated.Outcome, repeated.Reason, repeated.SqlState, repeated.Message));
        Assert.Equal((npgsql.Outcome, npgsql.Reason, npgsql.SqlState, npgsql.Message), (twice.Outcome, twice.Reason, twice.SqlState, twice.Message));
        Assert.DoesNotContain("not-the-password", repeated.Message ?? "", StringComparison.Ordinal);
        Assert.Equal<int?>([null, null, null], [npgsql.BackendPid, repeated.BackendPid, twice.BackendPid]);
    }

    [Fact]
    public async Task ServerThatNeverAnswers_TimeoutWithinTheDeadline()
    {
        using var silent = new SilentListener();
        var target = new ConnectionTarget { Host = "127.0.0.1", Port = silent.Port, User = "app", Password = "pw" };
        var stopwatch = Stopwatch.StartNew();

        var result = await new RepeatedProber(target).ProbeAsync(TimeSpan.FromSeconds(1), CancellationToken.None);

        Assert.Equal((ProbeOutcome.NoResponse, ProbeReason.Timeout), (result.Outcome, result.Reason));
        Assert.Equal("no answer within 1 s", result.Message);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task FullServer_TooManyClientsAsNpgsqlSays()
    {
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { MaxConnections = 4, SuperuserReservedConnections = 1 });
        var role = await sandbox.CreateRoleAsync("crowd", "crowd-pw");
        await using var held = await HeldConnections.OpenAsync(sandbox.SuperuserTarget, 3, "filler");
        var npgsql = await Prober.ProbeAsync(role, Timeout, CancellationToken.None);

        var repeated = await new RepeatedProber(role).ProbeAsync(Timeout, CancellationToken.None);

        Assert.Equal(ProbeOutcome.Rejecting, repeated.Outcome);
        Assert.Equal((npgsql.Outcome, npgsql.Reason, npgsql.SqlState, npgsql.Message), (repeated.Outcome, repeated.Reason, repeated.SqlState, repeated.Message));
    }
}
