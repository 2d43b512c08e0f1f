using PgMedic.Core.Checks;
using PgMedic.Core.Common;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Tests.Diagnosis;

/// <summary>
/// Sessions of other roles as PostgreSQL 15 shows them to a role without pg_read_all_stats: PID, database,
/// role and application, no backend_type, state or query. They are counted as a range, never dropped.
/// </summary>
public sealed class HiddenSessionsTests
{
    private static readonly ConnectionThreshold Warning80 = new(ConnectionThresholdKind.PercentOfUsable, 80);
    private static readonly ConnectionThreshold Critical90 = new(ConnectionThresholdKind.PercentOfUsable, 90);

    [Fact]
    public void Usage_HiddenRowsWithoutDatabaseOrRole_AreBackgroundProcessesAndTheCountStaysExact()
    {
        // The checkpointer and the autovacuum launcher show neither; an autovacuum worker shows a database
        // but no role; the logical replication launcher a role but no database.
        var snapshot = Limited(
            Server(25, 3),
            [Hidden(null, null), Hidden(null, null), Hidden("shop", null), Hidden(null, "postgres"), .. Snapshots.Many(15, SessionStates.Idle, TimeSpan.FromSeconds(5))]);

        var usage = Usage.From(snapshot);

        Assert.True(usage.Exact);
        Assert.Equal((15, 15), (usage.ClientBackendsMin, usage.ClientBackends));
        Assert.Equal(4, usage.OtherBackends);
        Assert.Equal("15", usage.InUse());
    }

    [Fact]
    public void Usage_OtherRolesSessions_RangeFromSeenToSeenPlusHidden()
    {
        // The server: 15 of the role's own, 3 of other roles, 22 usable — 18 in use, not 15.
        var snapshot = Limited(Server(25, 3), [.. Snapshots.Many(15, SessionStates.Idle, TimeSpan.FromSeconds(5)), Hidden("shop", "billing"), Hidden("shop", "billing"), Hidden("postgres", "reports")]);

        var usage = Usage.From(snapshot);

        Assert.False(usage.Exact);
        Assert.Equal((15, 18), (usage.ClientBackendsMin, usage.ClientBackends));
        Assert.Equal((68.2, 81.8), (usage.PercentOfUsableMin, usage.PercentOfUsable));
        Assert.Equal(3, usage.UnclassifiedSessions);
        Assert.Equal(3, usage.ByState[SessionStates.Hidden]);
        Assert.Equal("15–18", usage.InUse());
        Assert.Equal("68.2–81.8", usage.Percentage());
        Assert.Equal("4–7", usage.Left());
    }

    [Theory]
    [InlineData(8, 10, false, 12)]
    [InlineData(8, 10, true, 2)]
    [InlineData(0, 0, true, 20)]
    public void Usage_WorkerAndWalsenderLimits_CapHowManyHiddenRowsAreNotClients(int maxWorkers, int maxWalSenders, bool replicationRole, int expectedMin)
    {
        var hidden = Enumerable.Range(0, 20).Select(_ => Hidden("shop", "etl") with { CanReplicate = replicationRole }).ToArray();
        var snapshot = Limited(Server(100, 3) with { MaxWorkerProcesses = maxWorkers, MaxWalSenders = maxWalSenders }, hidden);

        var usage = Usage.From(snapshot);

        Assert.Equal((expectedMin, 20), (usage.ClientBackendsMin, usage.ClientBackends));
    }

    [Fact]
    public void Usage_ResidentCollector_CountedAsAnActiveSession()
    {
        // The monitor's lifeline and 24 others on 25 usable slots: full, not "1 left".
        var snapshot = Snapshots.Of(Snapshots.Server(28, 3), Snapshots.Many(24, SessionStates.Idle, TimeSpan.FromSeconds(5))) with { CollectorCounted = true };

        var usage = Usage.From(snapshot);

        Assert.Equal(25, usage.ClientBackends);
        Assert.Equal(100, usage.PercentOfUsable);
        Assert.Equal(0, usage.SlotsLeft);
        Assert.Equal(1, usage.ByState[SessionStates.Active]);
    }

    [Theory]
    [InlineData(15, 3, ExitCode.Unknown)]
    [InlineData(10, 3, ExitCode.Ok)]
    [InlineData(18, 1, ExitCode.Warning)]
    [InlineData(18, 3, ExitCode.Unknown)]
    [InlineData(20, 2, ExitCode.Critical)]
    public void CheckConnections_Range_VerdictOnlyWhenEveryCountInItAgrees(int seen, int hidden, ExitCode expected)
    {
        // 22 usable: warning at 17.6, critical at 19.8.
        var snapshot = Limited(Server(25, 3), [.. Snapshots.Many(seen, SessionStates.Idle, TimeSpan.FromSeconds(5)), .. Enumerable.Range(0, hidden).Select(_ => Hidden("shop", "billing"))]);

        var result = PluginChecks.Connections(snapshot, Warning80, Critical90);

        Assert.Equal(expected, result.Status);
        Assert.Contains($"{seen}–{seen + hidden} of 22 usable slots in use", result.Text, StringComparison.Ordinal);
        Assert.Contains($"connections={seen + hidden};17.6;19.8;0;22", result.ToLine(), StringComparison.Ordinal);
        Assert.Contains($"connections_min={seen};17.6;19.8;0;22", result.ToLine(), StringComparison.Ordinal);
    }

    [Fact]
    public void CheckConnections_StraddlesWarning_UnknownSaysWhyAndTheGrant()
    {
        var snapshot = Limited(Server(25, 3), [.. Snapshots.Many(15, SessionStates.Idle, TimeSpan.FromSeconds(5)), Hidden("shop", "billing"), Hidden("shop", "billing"), Hidden("shop", "billing")]);

        var line = PluginChecks.Connections(snapshot, Warning80, Critical90).ToLine();

        Assert.StartsWith("POSTGRES_CONNECTIONS UNKNOWN - 15–18 of 22 usable slots in use (68.2–81.8%), 4–7 left; this role cannot see whether 3 session(s) of other roles are client backends or background workers, so it is OK or WARNING (warning at 17.6 lies inside the range); GRANT pg_monitor TO app (or pg_read_all_stats) removes the doubt", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Saturation_RangeReachesWarning_WarnsAndSaysTheCountIsARange()
    {
        var snapshot = Limited(Server(25, 3), [.. Snapshots.Many(15, SessionStates.Idle, TimeSpan.FromSeconds(5)), Hidden("shop", "billing"), Hidden("shop", "billing"), Hidden("shop", "reports")]);

        var findings = Diagnoser.Diagnose(snapshot, new DiagnosisOptions());

        var saturation = Assert.Single(findings, f => f.Code == FindingCodes.ConnectionSaturation);
        Assert.Equal(Severity.Warning, saturation.Severity);
        Assert.StartsWith("68.2–81.8 % of usable connection slots in use (15–18/22)", saturation.Summary, StringComparison.Ordinal);
        Assert.Contains(saturation.Evidence, e => e.StartsWith("at least 15, at most 18: 3 session(s) of other roles (billing 2, reports 1)", StringComparison.Ordinal) && e.Contains("GRANT pg_monitor TO app", StringComparison.Ordinal));
        var visibility = Assert.Single(findings, f => f.Code == FindingCodes.LimitedVisibility);
        Assert.Contains("usage is a range (15–18 of 22)", visibility.Summary, StringComparison.Ordinal);
        Assert.StartsWith("GRANT pg_monitor TO app;", visibility.Fix.Advice, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("app", "GRANT pg_monitor TO app")]
    [InlineData("Billing-Worker", "GRANT pg_monitor TO \"Billing-Worker\"")]
    [InlineData(null, "GRANT pg_monitor TO <this role>")]
    public void Grant_NamesTheRoleQuotedWhenItMustBe(string? role, string expected) =>
        Assert.Equal(expected, new Visibility(false, []) { Role = role }.Grant());

    [Fact]
    public void Saturation_OrdinarySlotsAllTaken_SaysOnlySuperusersCanConnect()
    {
        // A superuser's one-off diagnose on 8 − 3 = 5 usable, all taken: its own connection holds one reserved slot.
        var snapshot = Snapshots.Of(Snapshots.Server(8, 3), Snapshots.Many(5, SessionStates.Active, TimeSpan.FromSeconds(1)));

        var saturation = Assert.Single(Diagnoser.Diagnose(snapshot, new DiagnosisOptions()), f => f.Code == FindingCodes.ConnectionSaturation);

        Assert.Contains("ordinary roles are refused; 2 of 3 reserved slot(s) left, for superusers only", saturation.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Saturation_EverySlotTakenSeenThroughTheLifeline_SaysEvenSuperusersAreRefused()
    {
        var snapshot = Snapshots.Of(Snapshots.Server(8, 3), Snapshots.Many(7, SessionStates.Active, TimeSpan.FromSeconds(1))) with { CollectorCounted = true };

        var saturation = Assert.Single(Diagnoser.Diagnose(snapshot, new DiagnosisOptions()), f => f.Code == FindingCodes.ConnectionSaturation);

        Assert.Contains("even superusers are refused: every slot is taken, the reserved ones too", saturation.Summary, StringComparison.Ordinal);
        Assert.Equal(160, Usage.From(snapshot).PercentOfUsable);
    }

    private static int _nextPid = 50000;

    private static ServerInfo Server(int max, int reserved) => Snapshots.Server(max, reserved) with { MaxWorkerProcesses = 8, MaxWalSenders = 10 };

    private static Snapshot Limited(ServerInfo server, SessionInfo[] sessions) =>
        Snapshots.Of(server, sessions) with { Visibility = new Visibility(false, ["hidden"]) { Role = "app" } };

    private static SessionInfo Hidden(string? database, string? user) => new()
    {
        Pid = Interlocked.Increment(ref _nextPid),
        BackendType = BackendTypes.Hidden,
        Database = database,
        User = user,
        ApplicationName = user is null ? null : user + "-api",
    };
}
