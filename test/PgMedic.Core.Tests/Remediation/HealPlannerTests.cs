using PgMedic.Core.Diagnosis;
using PgMedic.Core.Remediation;
using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Tests.Remediation;

public sealed class HealPlannerTests
{
    private static readonly GuardrailOptions Guardrails = new() { TargetDatabase = "shop", OwnPid = 1 };

    [Fact]
    public void Plan_StepsInRunbookOrder_EachSessionOnce()
    {
        // The idle-in-transaction session also heads a lock chain: it belongs to the first step only.
        var stuck = Snapshots.Client(SessionStates.IdleInTransaction, TimeSpan.FromMinutes(3), pid: 10);
        var waiter = Snapshots.Client(SessionStates.Active, TimeSpan.FromMinutes(1), pid: 11, blockedBy: [10]);
        var stale = Snapshots.Client(SessionStates.Idle, TimeSpan.FromMinutes(6), pid: 12);
        var head = Snapshots.Client(SessionStates.Active, TimeSpan.FromSeconds(30), pid: 13);
        var headWaiter = Snapshots.Client(SessionStates.Active, TimeSpan.FromSeconds(20), pid: 14, blockedBy: [13]);

        var steps = HealPlanner.Plan(Snapshots.Of(Snapshots.Server(), stuck, waiter, stale, head, headWaiter), new HealOptions(), Guardrails);

        Assert.Equal(HealPlanner.StepOrder, steps.Select(s => s.Name));
        Assert.Equal([10], steps[0].Plan.Actions.Select(a => a.Pid));
        Assert.Equal([12], steps[1].Plan.Actions.Select(a => a.Pid));
        Assert.Equal([13], steps[2].Plan.Actions.Select(a => a.Pid));
        Assert.Equal(RunbookStep.ResetConnectionPool, steps[1].RunbookStep);
    }

    [Fact]
    public void Plan_YoungSessions_NothingPlanned()
    {
        var snapshot = Snapshots.Of(Snapshots.Server(), Snapshots.Client(SessionStates.Idle, TimeSpan.FromMinutes(4)), Snapshots.Client(SessionStates.IdleInTransaction, TimeSpan.FromSeconds(30)));

        Assert.All(HealPlanner.Plan(snapshot, new HealOptions(), Guardrails), s => Assert.True(s.Plan.IsEmpty));
    }

    [Fact]
    public void Plan_MaxActions_BoundsTheWholeRunNotEachStep()
    {
        var stuck = Snapshots.Many(3, SessionStates.IdleInTransaction, TimeSpan.FromMinutes(3));
        var stale = Snapshots.Many(3, SessionStates.Idle, TimeSpan.FromMinutes(10));

        var steps = HealPlanner.Plan(Snapshots.Of(Snapshots.Server(), [.. stuck, .. stale]), new HealOptions(), Guardrails with { MaxActions = 4 });

        Assert.Equal(3, steps[0].Plan.Actions.Count);
        Assert.Single(steps[1].Plan.Actions);
        Assert.Equal(2, steps[1].Plan.Spared.Count(s => s is { Reason: SpareReason.OverMax, Detail: "4" }));
    }

    [Fact]
    public void IsHealthy_OnlyFindingsHealFixesCount()
    {
        Finding F(string code, Severity severity) => new(code, severity, "s", [], [], RunbookStep.Prevention, Fix.Say("r"));

        Assert.True(HealPlanner.IsHealthy([F(FindingCodes.MissingTimeouts, Severity.Warning), F(FindingCodes.LongRunningQuery, Severity.Critical), F(FindingCodes.BlockingChain, Severity.Info)]));
        Assert.False(HealPlanner.IsHealthy([F(FindingCodes.ConnectionSaturation, Severity.Warning)]));
        Assert.False(HealPlanner.IsHealthy([F(FindingCodes.IdleInTransaction, Severity.Critical)]));
    }
}
