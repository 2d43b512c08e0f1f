using PgMedic.Core.Diagnosis;
using PgMedic.Core.Remediation;
using PgMedic.Core.Reporting;

namespace PgMedic.Core.Tests.Reporting;

/// <summary>The report claims only what the audit records show: recovery on a passed check, the cause from the findings.</summary>
public sealed class IncidentReportBuilderTests
{
    private static readonly DateTimeOffset T = new(2025, 7, 31, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Build_StoppedPlaybookThenAHealThatPassed_RecoveryAtTheHealsCheck()
    {
        var records = new List<AuditRecord>
        {
            Record(0, "e1", "emergency", "plan", "playbook"),
            Record(1, "e1", "emergency", "hook-finished", "maintenance-on", result: "succeeded"),
            Record(2, "e1", "emergency", "verification", "terminate", healthy: true),
            Record(3, "e1", "emergency", "stopped", "restart-app", result: "stopped"),
            Record(10, "h1", "heal", "verification", "idle", healthy: true),
        };

        var report = Build(records);

        Assert.True(report.Recovery.Verified);
        Assert.Equal(T.AddSeconds(10), report.Recovery.At);
        Assert.Equal(PlaybookEnding.Stopped, report.Playbooks.Single().Ending);
        Assert.Equal(MaintenanceMode.On, report.Playbooks.Single().Maintenance);
    }

    [Fact]
    public void Build_EmergencyInterruptedAfterTerminate_NotVerifiedUnfinishedAndItsTerminateCheckDoesNotCount()
    {
        var records = new List<AuditRecord>
        {
            Record(0, "e1", "emergency", "findings", null, findings: [Saturation()]),
            Record(1, "e1", "emergency", "plan", "playbook"),
            Record(2, "e1", "emergency", "hook-finished", "maintenance-on", result: "succeeded"),
            Record(3, "e1", "emergency", "verification", "terminate", healthy: true),
        };

        var report = Build(records);

        Assert.False(report.Recovery.Verified);
        Assert.Null(report.DetectionToRecoverySeconds);
        Assert.Equal("the emergency playbook's records end before its final check", report.Recovery.NotVerifiedBecause);
        Assert.Equal(PlaybookEnding.Unfinished, report.Playbooks.Single().Ending);
    }

    [Fact]
    public void Build_FailedLastCheck_NotVerifiedSaysWhichCheck()
    {
        var report = Build([Record(0, "h1", "heal", "verification", "idle-in-transaction", healthy: false)]);

        Assert.False(report.Recovery.Verified);
        Assert.StartsWith("the last check (heal, after idle-in-transaction) found the server not healthy", report.Recovery.NotVerifiedBecause, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_TerminationsWithoutDiagnosis_RootCauseNotEstablishedNeverTheMostTerminatedApplication()
    {
        var records = Enumerable.Range(0, 3).Select(i => Terminated(i, "batch-job")).Append(Terminated(3, "api")).ToList();

        var report = Build(records);

        Assert.Null(report.RootCause!.Application);
        Assert.Equal("not established: no diagnosis was recorded before PgMedic acted", report.RootCause.Summary);
        Assert.Equal([new TerminatedSessions("batch-job", 3), new TerminatedSessions("api", 1)], report.TerminatedByApplication);
    }

    [Fact]
    public void Build_SymptomsBeforeTheCause_TheFirstFindingThatNamesACauseWins()
    {
        var leak = new Finding(FindingCodes.IdleInTransaction, Severity.Warning, "2 session(s) idle in an open transaction for over 1m (oldest 3m, billing)", [], [7, 8], RunbookStep.IdentifyConnectionLeaks, Fix.Say("x"), "billing");
        var report = Build([Record(0, "h1", "heal", "findings", null, findings: [Saturation(), leak]), Terminated(1, "api"), Terminated(2, "api")]);

        Assert.Equal("billing", report.RootCause!.Application);
        Assert.Equal(FindingCodes.IdleInTransaction, report.RootCause.Finding);
        Assert.StartsWith("application 'billing': 2 session(s) idle in an open transaction", report.RootCause.Summary, StringComparison.Ordinal);
    }

    private static IncidentReport Build(IReadOnlyList<AuditRecord> records) => IncidentReportBuilder.Build(records, [], T.AddHours(-1), T.AddHours(1), null);

    private static Finding Saturation() =>
        new(FindingCodes.ConnectionSaturation, Severity.Critical, "95 % of usable slots in use", [], [], RunbookStep.ResetConnectionPool, Fix.Say("x"));

    private static AuditRecord Terminated(int second, string application) =>
        Record(second, "t1", "terminate", "action-finished", "terminate", result: "terminated") with
        {
            Action = new PlannedAction(SessionAction.Terminate, 100 + second, null, null, "app", application, null, "shop", "idle", null, null, null, null, "test"),
        };

    private static AuditRecord Record(int second, string run, string command, string @event, string? step, string? result = null, bool? healthy = null, IReadOnlyList<Finding>? findings = null) => new()
    {
        Time = T.AddSeconds(second),
        RunId = run,
        Operator = "test@host",
        Target = "postgres://app:***@db:5432/shop",
        Event = @event,
        Command = command,
        Step = step,
        Result = result ?? (healthy is null ? null : healthy.Value ? "healthy" : "not-healthy"),
        Detail = "client connections 10 -> 2; probe accepting",
        Healthy = healthy,
        ClientBackendsBefore = healthy is null ? null : 10,
        ClientBackendsAfter = healthy is null ? null : 2,
        Findings = findings,
    };
}
