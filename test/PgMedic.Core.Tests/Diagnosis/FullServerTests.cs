using PgMedic.Core.Checks;
using PgMedic.Core.Common;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Probing;

namespace PgMedic.Core.Tests.Diagnosis;

/// <summary>"Only superusers can connect" and "even superusers are refused" are two states with their own exits.</summary>
public sealed class FullServerTests
{
    private static readonly ProbeResult EveryoneRefused = new("postgres://postgres:***@db/shop", ProbeOutcome.Rejecting, ProbeReason.TooManyClients, "53300", "sorry, too many clients already", null, null, null);

    private static readonly ProbeResult ReservedLeft = new("postgres://app:***@db/shop", ProbeOutcome.Rejecting, ProbeReason.ReservedSlotsOnly, "53300", "remaining connection slots are reserved for non-replication superuser connections", null, null, null);

    [Fact]
    public void FromFailedProbe_EvenSuperusersRefused_CriticalWithExitsThatNeedNoLogin()
    {
        var finding = Diagnoser.FromFailedProbe(EveryoneRefused);

        Assert.Equal((FindingCodes.ConnectionRejected, Severity.Critical), (finding.Code, finding.Severity));
        Assert.Null(finding.Fix.Verb);
        Assert.False(finding.Fix.Options?.AsSuperuser ?? false);
        Assert.DoesNotContain("as a superuser", finding.Fix.Advice, StringComparison.Ordinal);
        Assert.Contains("kill -TERM <pid>", finding.Fix.Advice, StringComparison.Ordinal);
        Assert.Contains("even superusers are refused", string.Join(" ", finding.Evidence), StringComparison.Ordinal);
        Assert.Equal(2, DiagnosisReport.FromFailedProbe(EveryoneRefused).ExitCode);
    }

    [Fact]
    public void FromFailedProbe_ReservedSlotsLeft_DiagnoseAsASuperuserWhoStillGetsIn()
    {
        var finding = Diagnoser.FromFailedProbe(ReservedLeft);

        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal(FixVerb.Diagnose, finding.Fix.Verb);
        Assert.True(finding.Fix.Options!.AsSuperuser);
        Assert.Contains("a superuser still gets in", string.Join(" ", finding.Evidence), StringComparison.Ordinal);
    }

    [Fact]
    public void CheckCouldNotConnect_BothFullStates_CriticalAndTold()
    {
        var everyone = PluginChecks.CouldNotConnect("POSTGRES_CONNECTIONS", EveryoneRefused);
        var reserved = PluginChecks.CouldNotConnect("POSTGRES_CONNECTIONS", ReservedLeft);

        Assert.Equal((ExitCode.Critical, ExitCode.Critical), (everyone.Status, reserved.Status));
        Assert.EndsWith("even superusers are refused", everyone.Text, StringComparison.Ordinal);
        Assert.EndsWith("a superuser still gets in", reserved.Text, StringComparison.Ordinal);
    }
}
