using PgMedic.Core.Common;

namespace PgMedic.Core.Tests.Common;

/// <summary>The shared duration grammar (src/Shared/DurationGrammar.cs, compiled into Core and Guard), tested once, here.</summary>
public sealed class DurationTests
{
    [Theory]
    [InlineData("500ms", 0.5)]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("1h30m", 5400)]
    [InlineData("2d", 172800)]
    [InlineData("1.5s", 1.5)]
    [InlineData("90", 90)]
    [InlineData(" 10s ", 10)]
    [InlineData("1h1m1s", 3661)]
    [InlineData("7d", 604800)]
    public void TryParse_ValidText_Seconds(string text, double seconds)
    {
        Assert.True(Duration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("5 minutes")]
    [InlineData("5x")]
    [InlineData("m5")]
    [InlineData("-5s")]
    [InlineData(null)]
    [InlineData("99999999999999999999s")]
    [InlineData("99999999999999999999")]
    [InlineData("40000d")]
    [InlineData("36525d1s")]
    public void TryParse_InvalidText_False(string? text) => Assert.False(Duration.TryParse(text, out _));

    [Theory]
    [InlineData(0.45, "450ms")]
    [InlineData(12, "12s")]
    [InlineData(300, "5m")]
    [InlineData(5400, "1h30m")]
    [InlineData(90, "1m30s")]
    [InlineData(183600, "2d3h")]
    public void Format_Seconds_ShortHumanForm(double seconds, string expected) =>
        Assert.Equal(expected, Duration.Format(TimeSpan.FromSeconds(seconds)));
}
