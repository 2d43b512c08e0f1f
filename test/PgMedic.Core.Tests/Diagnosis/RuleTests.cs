using PgMedic.Core.Diagnosis;
using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Tests.Diagnosis;

public sealed class RuleTests
{
    private static readonly DiagnosisOptions Defaults = new();

    [Theory]
    [InlineData(77, null)]
    [InlineData(78, Severity.Warning)]
    [InlineData(87, Severity.Critical)]
    public void Saturation_AtRunbookThresholdsOfUsableSlots(int clients, Severity? expected)
    {
        // 100 − 3 = 97 usable: 78 is 80.4 %, 87 is 89.7 % … 88 would be 90.7 %.
        var snapshot = Snapshots.Of(Snapshots.Server(100, 3), Snapshots.Many(clients, SessionStates.Active, TimeSpan.FromSeconds(1)));
        var options = Defaults with { SaturationCriticalPercent = 89 };

        var finding = Diagnoser.Diagnose(snapshot, options).SingleOrDefault(f => f.Code == FindingCodes.ConnectionSaturation);

        Assert.Equal(expected, finding?.Severity);
    }

    [Fact]
    public void Saturation_WithStaleIdle_PointsAtStepOneWithTheirPids()
    {
        var stale = Snapshots.Many(5, SessionStates.Idle, TimeSpan.FromMinutes(10));
        var snapshot = Snapshots.Of(Snapshots.Server(13, 3), [.. stale, .. Snapshots.Many(4, SessionStates.Active, TimeSpan.FromSeconds(1))]);

        var finding = Assert.Single(Diagnoser.Diagnose(snapshot, Defaults), f => f.Code == FindingCodes.ConnectionSaturation);

        Assert.Equal(RunbookStep.ResetConnectionPool, finding.RunbookStep);
        Assert.Equal(stale.Select(s => s.Pid).Order(), finding.Pids.Order());
        Assert.Equal(Fix.Run(FixVerb.Terminate, new FixOptions { State = "idle", IdleFor = "5m" }), finding.Fix);
    }

    [Fact]
    public void Saturation_NothingReclaimable_PointsAtStepTwo()
    {
        var snapshot = Snapshots.Of(Snapshots.Server(13, 3), Snapshots.Many(9, SessionStates.Active, TimeSpan.FromSeconds(1)));

        var finding = Assert.Single(Diagnoser.Diagnose(snapshot, Defaults), f => f.Code == FindingCodes.ConnectionSaturation);

        Assert.Equal(RunbookStep.IncreaseConnectionLimits, finding.RunbookStep);
        Assert.Empty(finding.Pids);
    }

    [Fact]
    public void Hoarding_ManySmallApplications_OnlyTheOneOverTheMinimumNamed()
    {
        var snapshot = Snapshots.Of(
            Snapshots.Server(200, 3),
            [.. Snapshots.Many(5, SessionStates.Idle, TimeSpan.FromMinutes(30), "leaky"), .. Snapshots.Many(4, SessionStates.Idle, TimeSpan.FromMinutes(30), "fine")]);

        var findings = Diagnoser.Diagnose(snapshot, Defaults).Where(f => f.Code == FindingCodes.IdleConnectionHoarding).ToList();

        Assert.Equal("leaky", Assert.Single(findings).Subject);
    }

    [Fact]
    public void Hoarding_SmallServer_MinimumScalesWithUsableSlots()
    {
        // 10 usable slots: 20 % is 2 sessions, below the default minimum of 5.
        var snapshot = Snapshots.Of(Snapshots.Server(13, 3), Snapshots.Many(2, SessionStates.Idle, TimeSpan.FromMinutes(30), "leaky"));

        Assert.Contains(Diagnoser.Diagnose(snapshot, Defaults), f => f.Code == FindingCodes.IdleConnectionHoarding && f.Subject == "leaky");
    }

    [Fact]
    public void LongRunningQuery_WalsenderAndAutovacuum_NeverFlagged()
    {
        var snapshot = Snapshots.Of(
            Snapshots.Server(),
            Snapshots.Client(SessionStates.Active, TimeSpan.FromDays(2), backendType: BackendTypes.Walsender),
            Snapshots.Client(SessionStates.Active, TimeSpan.FromHours(5), backendType: BackendTypes.AutovacuumWorker));

        Assert.DoesNotContain(Diagnoser.Diagnose(snapshot, Defaults), f => f.Code == FindingCodes.LongRunningQuery);
    }

    [Theory]
    [InlineData(30, null)]
    [InlineData(90, Severity.Warning)]
    [InlineData(600, Severity.Critical)]
    public void LongRunningQuery_ByQueryAge(int seconds, Severity? expected)
    {
        var snapshot = Snapshots.Of(Snapshots.Server(), Snapshots.Client(SessionStates.Active, TimeSpan.FromSeconds(seconds)));

        Assert.Equal(expected, Diagnoser.Diagnose(snapshot, Defaults).SingleOrDefault(f => f.Code == FindingCodes.LongRunningQuery)?.Severity);
    }

    [Fact]
    public void IdleInTransaction_AbortedTransactionsCountToo()
    {
        var snapshot = Snapshots.Of(Snapshots.Server(), Snapshots.Client(SessionStates.IdleInTransactionAborted, TimeSpan.FromMinutes(2)));

        Assert.Contains(Diagnoser.Diagnose(snapshot, Defaults), f => f.Code == FindingCodes.IdleInTransaction && f.Severity == Severity.Warning);
    }

    [Fact]
    public void LockGraph_TwoLevelChain_HeadIsTheSessionWaitingForNobody()
    {
        var head = Snapshots.Client(SessionStates.IdleInTransaction, TimeSpan.FromMinutes(3), pid: 10);
        var middle = Snapshots.Client(SessionStates.Active, TimeSpan.FromSeconds(40), pid: 11, blockedBy: [10]);
        var tail = Snapshots.Client(SessionStates.Active, TimeSpan.FromSeconds(20), pid: 12, blockedBy: [11]);
        var other = Snapshots.Client(SessionStates.Active, TimeSpan.FromSeconds(20), pid: 13, blockedBy: [10]);

        var chain = Assert.Single(LockGraph.Chains([head, middle, tail, other]));

        Assert.Equal(10, chain.HeadPid);
        Assert.Equal([11, 13, 12], chain.WaiterPids);
    }

    [Fact]
    public void LockGraph_DeadlockCycle_NoHead()
    {
        var a = Snapshots.Client(SessionStates.Active, TimeSpan.FromSeconds(1), pid: 20, blockedBy: [21]);
        var b = Snapshots.Client(SessionStates.Active, TimeSpan.FromSeconds(1), pid: 21, blockedBy: [20]);

        Assert.Empty(LockGraph.Chains([a, b]));
    }

    [Fact]
    public void BlockingChain_SeverityByLongestWait()
    {
        var head = Snapshots.Client(SessionStates.IdleInTransaction, TimeSpan.FromMinutes(3), pid: 30);
        var waiter = Snapshots.Client(SessionStates.Active, TimeSpan.FromMinutes(2), pid: 31, blockedBy: [30]);

        var finding = Assert.Single(Diagnoser.Diagnose(Snapshots.Of(Snapshots.Server(), head, waiter), Defaults), f => f.Code == FindingCodes.BlockingChain);

        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal([30, 31], finding.Pids);
    }

    [Fact]
    public void BlockingChain_Fix_TerminatesTheHeadByPid()
    {
        var head = Snapshots.Client(SessionStates.IdleInTransaction, TimeSpan.FromMinutes(3), pid: 30);
        var waiter = Snapshots.Client(SessionStates.Active, TimeSpan.FromMinutes(2), pid: 31, blockedBy: [30]);

        var finding = Assert.Single(Diagnoser.Diagnose(Snapshots.Of(Snapshots.Server(), head, waiter), Defaults), f => f.Code == FindingCodes.BlockingChain);

        Assert.Equal((FixVerb.Terminate, true, 30), (finding.Fix.Verb, finding.Fix.Options?.Blocking, finding.Fix.Options?.Pid));
        Assert.Equal([30], finding.CallSitePids);
    }

    [Fact]
    public void LongRunningQuery_OnlyLockWaitersRunLong_NoFinding()
    {
        var head = Snapshots.Client(SessionStates.IdleInTransaction, TimeSpan.FromMinutes(10), pid: 40);
        var waiters = new[] { 41, 42 }.Select(pid => Snapshots.Client(SessionStates.Active, TimeSpan.FromMinutes(8), pid: pid, blockedBy: [40]));

        var findings = Diagnoser.Diagnose(Snapshots.Of(Snapshots.Server(), [head, .. waiters]), Defaults);

        Assert.DoesNotContain(findings, f => f.Code == FindingCodes.LongRunningQuery);
        Assert.Contains(findings, f => f.Code == FindingCodes.BlockingChain && f.Pids[0] == 40);
    }

    [Fact]
    public void LongRunningQuery_WaitersBesideARunningQuery_OnlyTheRunnerCountedWaitersNamedBehindTheHead()
    {
        var head = Snapshots.Client(SessionStates.IdleInTransaction, TimeSpan.FromMinutes(10), pid: 50);
        var middle = Snapshots.Client(SessionStates.Active, TimeSpan.FromMinutes(4), pid: 51, blockedBy: [50]);
        var tail = Snapshots.Client(SessionStates.Active, TimeSpan.FromMinutes(3), pid: 52, blockedBy: [51]);
        var report = Snapshots.Client(SessionStates.Active, TimeSpan.FromMinutes(2), application: "report", pid: 53);

        var finding = Assert.Single(Diagnoser.Diagnose(Snapshots.Of(Snapshots.Server(), head, middle, tail, report), Defaults), f => f.Code == FindingCodes.LongRunningQuery);

        Assert.Equal([53], finding.Pids);
        Assert.StartsWith("1 query running for over 1m (longest 2m: pid 53, report)", finding.Summary, StringComparison.Ordinal);
        Assert.Equal("not counted: 2 session(s) waiting behind pid 50 (pids 51, 52) — see blocking-chain", finding.Evidence[^1]);
        Assert.Equal(Severity.Warning, finding.Severity);
    }

    [Fact]
    public void HolderJoin_BlockingChain_CallSiteOfTheHeadOnlyNeverAWaiters()
    {
        var head = Snapshots.Client(SessionStates.IdleInTransaction, TimeSpan.FromMinutes(3), application: "migrator", pid: 60);
        var waiter = Snapshots.Client(SessionStates.Active, TimeSpan.FromMinutes(2), pid: 61, blockedBy: [60]);
        var findings = Diagnoser.Diagnose(Snapshots.Of(Snapshots.Server(), head, waiter), Defaults);
        AppHolder waiterHolder = new("api", 61, new AppCallSite("/src/Orders.cs", 12, "PlaceOrderAsync"), 120, false);

        var waiterOnly = HolderJoin.Annotate(findings, [Pool(waiterHolder)]).Single(f => f.Code == FindingCodes.BlockingChain);
        var both = HolderJoin.Annotate(findings, [Pool(waiterHolder, new AppHolder("api", 60, new AppCallSite("/src/Migrate.cs", 40, "MigrateAsync"), 180, false))]).Single(f => f.Code == FindingCodes.BlockingChain);

        Assert.Null(waiterOnly.Holders);
        Assert.DoesNotContain("held at", waiterOnly.Summary, StringComparison.Ordinal);
        Assert.Equal([60], both.Holders!.Select(h => h.BackendPid));
        Assert.EndsWith("— held at Migrate.cs:40 (MigrateAsync)", both.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain(both.Evidence, line => line.Contains("PlaceOrderAsync", StringComparison.Ordinal));
    }

    private static AppPool Pool(params AppHolder[] holders) => new("http://api/health/pool", "api", 10, 10, holders.Length, 0, 0, 0, 0, holders, null);

    [Fact]
    public void RoleLimit_SuperuserRoles_Exempt()
    {
        var snapshot = Snapshots.Of(Snapshots.Server(), Snapshots.Client(SessionStates.Idle, TimeSpan.Zero, user: "admin", superuser: true)) with
        {
            Roles = [new RoleLimit("admin", 1, IsSuperuser: true)],
        };

        Assert.DoesNotContain(Diagnoser.Diagnose(snapshot, Defaults), f => f.Code == FindingCodes.RoleLimit);
    }

    [Fact]
    public void Diagnose_Ordering_CriticalFirst()
    {
        var snapshot = Snapshots.Of(
            Snapshots.Server(),
            Snapshots.Client(SessionStates.Active, TimeSpan.FromMinutes(2)),
            Snapshots.Client(SessionStates.IdleInTransaction, TimeSpan.FromMinutes(10)));

        var severities = Diagnoser.Diagnose(snapshot, Defaults).Select(f => f.Severity).ToList();

        Assert.Equal(severities.OrderDescending(), severities);
        Assert.Equal(Severity.Critical, severities[0]);
    }

    [Fact]
    public void Validate_ContradictoryThresholds_EveryErrorAtOnce()
    {
        var errors = new DiagnosisOptions
        {
            SaturationWarningPercent = 95,
            SaturationCriticalPercent = 90,
            IdleInTransactionWarning = TimeSpan.FromMinutes(10),
            LongQueryWarning = TimeSpan.Zero,
            HoardingMinSessions = 0,
        }.Validate();

        Assert.Equal(4, errors.Count);
    }
}
