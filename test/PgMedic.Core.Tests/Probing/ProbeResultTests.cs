using PgMedic.Core.Common;
using PgMedic.Core.Probing;

namespace PgMedic.Core.Tests.Probing;

public sealed class ProbeResultTests
{
    [Theory]
    [InlineData(ProbeOutcome.Accepting, ExitCode.Ok)]
    [InlineData(ProbeOutcome.Rejecting, ExitCode.Warning)]
    [InlineData(ProbeOutcome.NoResponse, ExitCode.Critical)]
    [InlineData(ProbeOutcome.NoAttempt, ExitCode.Unknown)]
    public void ExitCode_ByOutcome_NagiosCompatible(ProbeOutcome outcome, ExitCode expected) =>
        Assert.Equal(expected, new ProbeResult("postgres://x@h:5432/d", outcome, null, null, null, null, null, null).ExitCode);

    [Theory]
    [InlineData(ProbeReason.TooManyClients, ExitCode.Critical)]
    [InlineData(ProbeReason.ReservedSlotsOnly, ExitCode.Warning)]
    [InlineData(ProbeReason.AuthFailed, ExitCode.Warning)]
    public void ExitCode_FullServer_CriticalOnlyWhenEvenSuperusersAreRefused(string reason, ExitCode expected) =>
        Assert.Equal(expected, new ProbeResult("t", ProbeOutcome.Rejecting, reason, "53300", null, null, null, null).ExitCode);

    [Fact]
    public void Advice_EvenSuperusersRefused_ExitsThatNeedNoLoginNeverAsASuperuser()
    {
        var advice = new ProbeResult("t", ProbeOutcome.Rejecting, ProbeReason.TooManyClients, "53300", "sorry, too many clients already", null, null, null).Advice!;

        Assert.DoesNotContain("as a superuser", advice, StringComparison.Ordinal);
        Assert.Contains("lifeline", advice, StringComparison.Ordinal);
        Assert.Contains("PAUSE", advice, StringComparison.Ordinal);
        Assert.Contains("kill -TERM <pid>", advice, StringComparison.Ordinal);
        Assert.Contains("restart", advice, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ProbeReason.ReservedSlotsOnly, "diagnose as a superuser")]
    [InlineData(ProbeReason.AuthFailed, "password")]
    [InlineData(ProbeReason.Refused, "running")]
    [InlineData(ProbeReason.Timeout, "firewall")]
    public void Advice_ByReason_NamesTheNextStep(string reason, string expectedWord)
    {
        var result = new ProbeResult("t", ProbeOutcome.Rejecting, reason, null, null, null, null, null);

        Assert.Contains(expectedWord, result.Advice, StringComparison.Ordinal);
    }
}
