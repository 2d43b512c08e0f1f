using PgMedic.Core.Diagnosis;
using PgMedic.Core.Probing;
using PgMedic.Postgres.Collection;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Postgres.Tests.Collection;

/// <summary>Scenarios that need a server of their own: a quiet one, a full one, one with a walsender.</summary>
public sealed class DiagnoseOwnServerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Diagnose_QuietServer_NoWarningFindingsAndStatusOk()
    {
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });

        var report = await DiagnosisRunner.RunAsync(sandbox.SuperuserTarget, Timeout, new DiagnosisOptions(), CancellationToken.None);

        Assert.Equal(DiagnosisStatus.Ok, report.Status);
        Assert.All(report.Findings, f => Assert.Equal(Severity.Info, f.Severity));
        Assert.Equal(0, report.Usage!.ClientBackends);
        Assert.True(report.Usage.OtherBackends >= 3, "checkpointer, walwriter, autovacuum launcher… are listed but not counted");
    }

    [Theory]
    [InlineData(8, Severity.Warning)]
    [InlineData(9, Severity.Critical)]
    public async Task Diagnose_FilledToShareOfUsableSlots_SaturationBySeverity(int held, Severity expected)
    {
        // 13 − 3 reserved = 10 usable: 8 held is 80 %, 9 is 90 %.
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { MaxConnections = 13, SuperuserReservedConnections = 3, CreatePgStatStatements = false });
        var app = await sandbox.CreateRoleAsync("app", "app-pw");
        await using var connections = await HeldConnections.OpenAsync(app, held, "api");

        var report = await DiagnosisRunner.RunAsync(sandbox.SuperuserTarget, Timeout, new DiagnosisOptions(), CancellationToken.None);

        var saturation = Assert.Single(report.Findings, f => f.Code == FindingCodes.ConnectionSaturation);
        Assert.Equal(expected, saturation.Severity);
        Assert.Equal(10, report.Server!.UsableSlots);
        Assert.Equal(held, report.Usage!.ClientBackends);
        Assert.Equal(held * 10.0, report.Usage.PercentOfUsable);
        Assert.Equal(expected == Severity.Critical ? DiagnosisStatus.Critical : DiagnosisStatus.Warning, report.Status);
    }

    [Fact]
    public async Task Diagnose_AllOrdinarySlotsTaken_SuperuserSeesSaturationOrdinaryRoleGetsRejection()
    {
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { MaxConnections = 8, SuperuserReservedConnections = 3, CreatePgStatStatements = false });
        var app = await sandbox.CreateRoleAsync("app", "app-pw");
        await using var connections = await HeldConnections.OpenAsync(app, 5, "leaky-api");

        var asSuperuser = await DiagnosisRunner.RunAsync(sandbox.SuperuserTarget, Timeout, new DiagnosisOptions(), CancellationToken.None);
        var asApp = await DiagnosisRunner.RunAsync(app, Timeout, new DiagnosisOptions(), CancellationToken.None);

        var saturation = Assert.Single(asSuperuser.Findings, f => f.Code == FindingCodes.ConnectionSaturation);
        Assert.Equal(Severity.Critical, saturation.Severity);
        Assert.Equal(100, asSuperuser.Usage!.PercentOfUsable);
        Assert.Equal(2, asSuperuser.ExitCode);
        var rejected = Assert.Single(asApp.Findings);
        Assert.Equal(FindingCodes.ConnectionRejected, rejected.Code);
        Assert.Equal(ProbeReason.ReservedSlotsOnly, rejected.Subject);
        Assert.Equal(Severity.Critical, rejected.Severity);
        Assert.Equal(ProbeOutcome.Rejecting, asApp.Probe.Outcome);
        Assert.Equal(2, asApp.ExitCode);
    }

    [Fact]
    public async Task Diagnose_StoppedServer_ServerUnreachableCritical()
    {
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        await sandbox.StopServerAsync();

        var report = await DiagnosisRunner.RunAsync(sandbox.SuperuserTarget, Timeout, new DiagnosisOptions(), CancellationToken.None);

        var finding = Assert.Single(report.Findings);
        Assert.Equal((FindingCodes.ServerUnreachable, ProbeReason.Refused), (finding.Code, finding.Subject));
        Assert.Equal(2, report.ExitCode);
        Assert.Null(report.Usage);
    }

    [Fact]
    public async Task Diagnose_RealWalsenderStreamingForAnHour_NeverFlaggedNorCounted()
    {
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        await using var receiver = await WalReceiver.StartAsync(sandbox);

        var snapshot = await Diagnose.SnapshotAsync(sandbox.SuperuserTarget);
        var findings = Diagnoser.Diagnose(snapshot with { TakenAt = snapshot.TakenAt.AddHours(1) }, new DiagnosisOptions());

        var walsender = Assert.Single(snapshot.Sessions, s => s.BackendType == "walsender");
        Assert.DoesNotContain(findings, f => f.Pids.Contains(walsender.Pid));
        Assert.DoesNotContain(findings, f => f.Code == FindingCodes.LongRunningQuery);
        Assert.Equal(0, Usage.From(snapshot).ClientBackends);
        var launcher = Assert.Single(snapshot.Sessions, s => s.BackendType == "autovacuum launcher");
        Assert.DoesNotContain(findings, f => f.Pids.Contains(launcher.Pid));
    }

    [Fact]
    public async Task Snapshot_OrdinaryRoleOnPostgres15_BackgroundProcessesToldApartOtherRolesSessionsARange()
    {
        // PostgreSQL 15 hides backend_type of every session not of this role: the checkpointer, the
        // launchers and the other roles' client backends all arrive without it.
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        var plain = await sandbox.CreateRoleAsync("plain", "plain-pw");
        await using var own = await HeldConnections.OpenAsync(plain, 2, "plain-api");

        var quiet = Usage.From(await Diagnose.SnapshotAsync(plain));
        await using var others = await HeldConnections.OpenAsync(sandbox.SuperuserTarget, 3, "admin-tool");
        var snapshot = await Diagnose.SnapshotAsync(plain);
        var busy = Usage.From(snapshot);

        Assert.True(quiet.Exact, "the background processes have no database or no role, so none of them may be a client backend");
        Assert.Equal(2, quiet.ClientBackends);
        Assert.True(quiet.OtherBackends >= 3);
        Assert.All(snapshot.Sessions.Where(s => s.ApplicationName == "admin-tool"), s => Assert.True(s.IsTypeHidden));
        Assert.Equal((2, 5), (busy.ClientBackendsMin, busy.ClientBackends));
        Assert.Equal(3, busy.UnclassifiedSessions);
        Assert.Equal(8, snapshot.Server.MaxWorkerProcesses);
        Assert.Equal("plain", snapshot.Visibility.Role);
    }

    [Fact]
    public async Task Diagnose_OrdinaryRoleWithoutPgMonitor_SaysWhatItCouldNotSee()
    {
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        var plain = await sandbox.CreateRoleAsync("plain", "plain-pw");
        var monitor = await sandbox.CreateRoleAsync("watcher", "watcher-pw");
        await sandbox.ExecuteAsync("GRANT pg_monitor TO watcher");
        await using var held = await HeldConnections.OpenAsync(sandbox.SuperuserTarget, 6, "leaky-api");

        var asPlain = await Diagnose.SnapshotAsync(plain);
        var asMonitor = await Diagnose.SnapshotAsync(monitor);

        Assert.False(asPlain.Visibility.SeesAllSessions);
        Assert.Contains(Diagnoser.Diagnose(asPlain, new DiagnosisOptions()), f => f.Code == FindingCodes.LimitedVisibility);
        Assert.All(asPlain.Sessions.Where(s => s.ApplicationName == "leaky-api"), s => Assert.Null(s.State));
        Assert.True(asMonitor.Visibility.SeesAllSessions);
        var leak = Assert.Single(Diagnoser.Diagnose(asMonitor with { TakenAt = asMonitor.TakenAt.AddMinutes(6) }, new DiagnosisOptions()), f => f.Code == FindingCodes.IdleConnectionHoarding);
        Assert.Equal(held.Pids.Order(), leak.Pids.Order());
    }
}
