using System.Text.Json;
using PgMedic.Core.Probing;

namespace PgMedic.Core.Tests.Probing;

public sealed class ProbeOutcomeNameTests
{
    [Theory]
    [InlineData(ProbeOutcome.Accepting, "accepting")]
    [InlineData(ProbeOutcome.Rejecting, "rejecting")]
    [InlineData(ProbeOutcome.NoResponse, "no-response")]
    [InlineData(ProbeOutcome.NoAttempt, "no-attempt")]
    public void Of_EveryOutcome_SpelledAsTheJsonSpellsIt(ProbeOutcome outcome, string expected)
    {
        Assert.Equal(expected, ProbeOutcomeName.Of(outcome));
        Assert.Equal($"\"{expected}\"", JsonSerializer.Serialize(outcome));
    }

    [Fact]
    public void Of_EveryDefinedOutcome_IsCovered() =>
        Assert.Equal(Enum.GetValues<ProbeOutcome>().Length, Enum.GetValues<ProbeOutcome>().Select(ProbeOutcomeName.Of).Distinct().Count());
}
