using CsCheck;
using PgMedic.Core.Common;

namespace PgMedic.Core.Tests.Common;

/// <summary>The duration grammar on generated input: never an exception, never an overflow, and what it prints it reads back.</summary>
public sealed class DurationPropertyTests
{
    public const int Iterations = 50_000;

    [Fact]
    public void AnyText_ParsesOrIsRefused_NeverThrows() =>
        Gen.Char["0123456789hmsdµu.-+e ,:9"].Array[0, 30].Select(c => new string(c)).Sample(text =>
        {
            if (Duration.TryParse(text, out var value))
            {
                Assert.True(value >= TimeSpan.Zero, text);
            }
        }, iter: Iterations);

    /// <summary>
    /// Durations at the precision they are shown with (whole ms below 1 s, tenths below 1 min, whole seconds
    /// below 1 h, whole minutes below 1 d, whole hours beyond) — every default and setting PgMedic prints.
    /// </summary>
    [Fact]
    public void Format_ThenParse_GivesTheSameDuration() =>
        Gen.OneOf(
            Gen.Long[0, 999].Select(ms => TimeSpan.FromMilliseconds(ms)),
            Gen.Long[10, 599].Select(tenths => TimeSpan.FromMilliseconds(tenths * 100)),
            Gen.Long[60, 3599].Select(s => TimeSpan.FromSeconds(s)),
            Gen.Long[60, 1439].Select(m => TimeSpan.FromMinutes(m)),
            Gen.Long[24, 24 * 3650].Select(h => TimeSpan.FromHours(h))).Sample(value =>
        {
            Assert.True(Duration.TryParse(Duration.Format(value), out var back), Duration.Format(value));
            Assert.Equal(value, back);
        }, iter: Iterations);
}
