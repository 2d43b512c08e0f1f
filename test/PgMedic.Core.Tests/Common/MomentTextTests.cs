using PgMedic.Core.Common;

namespace PgMedic.Core.Tests.Common;

/// <summary>`--at`: ISO 8601, or a time of day meaning its most recent occurrence (UTC unless a zone is given).</summary>
public sealed class MomentTextTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 10, 30, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("2026-02-27T03:12:00Z", "2026-02-27T03:12:00Z")]
    [InlineData("2026-02-27 03:12", "2026-02-27T03:12:00Z")]
    [InlineData("2026-02-27T03:12Z", "2026-02-27T03:12:00Z")]
    [InlineData("2026-02-27T05:12:00+02:00", "2026-02-27T03:12:00Z")]
    [InlineData("03:12", "2026-03-02T03:12:00Z")]
    [InlineData("11:00", "2026-03-01T11:00:00Z")]
    [InlineData("03:12:30Z", "2026-03-02T03:12:30Z")]
    [InlineData("12:00+02:00", "2026-03-02T10:00:00Z")]
    [InlineData("12:31+02:00", "2026-03-01T10:31:00Z")]
    [InlineData("04:12 Europe/Berlin", "2026-03-02T03:12:00Z")]
    [InlineData("22:12 America/New_York", "2026-03-02T03:12:00Z")]
    public void TryParse_IsoOrTimeOfDay_TheMomentMeant(string text, string expected)
    {
        Assert.Null(MomentText.TryParse(text, Now, out var at));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), at);
    }

    [Theory]
    [InlineData("25:00", "is not a time of day")]
    [InlineData("03:12 Mars/Olympus", "is not a time zone this machine knows")]
    [InlineData("yesterday", "is not a time: use ISO 8601")]
    [InlineData("", "no time given")]
    public void TryParse_Nonsense_SaysWhatIsWrong(string text, string message) =>
        Assert.Contains(message, MomentText.TryParse(text, Now, out _), StringComparison.Ordinal);
}
