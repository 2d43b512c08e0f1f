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
    [InlineData(ProbeReason.TooManyClients, "diagnose")]
    [InlineData(ProbeReason.AuthFailed, "password")]
    [InlineData(ProbeReason.Refused, "running")]
    [InlineData(ProbeReason.Timeout, "firewall")]
    public void Advice_ByReason_NamesTheNextStep(string reason, string expectedWord)
    {
        var result = new ProbeResult("t", ProbeOutcome.Rejecting, reason, null, null, null, null, null);

        Assert.Contains(expectedWord, result.Advice, StringComparison.Ordinal);
    }
}
