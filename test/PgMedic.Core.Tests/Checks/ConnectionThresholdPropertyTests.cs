using System.Globalization;
using CsCheck;
using PgMedic.Core.Checks;
using PgMedic.Core.Common;

namespace PgMedic.Core.Tests.Checks;

/// <summary>
/// The connections threshold parser (<c>check connections -w/-c</c>) on generated input: no exception
/// escapes, what it accepts obeys the one threshold rule, the warning/critical order rule holds for
/// every pair, and what it prints it reads back as the same threshold.
/// </summary>
public sealed class ConnectionThresholdPropertyTests
{
    public const int Iterations = 20_000;

    /// <summary>Text near the grammar (digits, signs, points, percent, exponents, spaces) and anything at all.</summary>
    private static readonly Gen<string> AnyText = Gen.OneOf(
        Gen.Char["0123456789.-%+e ,_"].Array[0, 26].Select(c => new string(c)),
        Gen.String);

    /// <summary>Thresholds as a user writes them: whole or two-decimal numbers in and around the accepted ranges.</summary>
    private static readonly Gen<string> Written = Gen.Select(
        Gen.Int[0, 2],
        Gen.OneOf(Gen.Int[0, 300_000].Select(i => (double)i), Gen.Int[0, 20_000].Select(i => i / 100.0))).Select((kind, value) =>
        {
            var number = value.ToString("0.##", CultureInfo.InvariantCulture);
            return kind switch
            {
                0 => number,
                1 => number + "%",
                _ => "-" + number,
            };
        });

    [Fact]
    public void AnyText_ParsesOrIsRefusedWithOneLine_NeverThrows() =>
        AnyText.Sample(text =>
        {
            if (ConnectionThreshold.TryParse(text, out var threshold, out var error))
            {
                Assert.Null(error);
                AssertFollowsTheRule(threshold!, text);
            }
            else
            {
                Assert.Null(threshold);
                Assert.False(string.IsNullOrWhiteSpace(error), text);
                Assert.DoesNotContain('\n', text.Length == 0 ? error : error.Replace(text, string.Empty, StringComparison.Ordinal));
            }
        }, iter: Iterations);

    [Fact]
    public void EveryPair_RefusedExactlyWhenCriticalComesBeforeWarning() =>
        Gen.Select(Written, Written).Sample((w, c) =>
        {
            if (!ConnectionThreshold.TryParse(w, out var warning, out _) || !ConnectionThreshold.TryParse(c, out var critical, out _))
            {
                return;
            }

            var errors = ConnectionThreshold.ValidatePair(warning!, critical!);
            var inverted = warning!.Kind == critical!.Kind && (warning.Kind == ConnectionThresholdKind.SlotsLeft
                ? critical.Value > warning.Value
                : critical.Value < warning.Value);
            Assert.True(inverted == (errors.Count == 1), $"-w {w} -c {c}: {string.Join("; ", errors)}");
            Assert.True(errors.Count <= 1);
            Assert.All(errors, e => Assert.Contains("warning must come first", e, StringComparison.Ordinal));
        }, iter: Iterations);

    [Fact]
    public void Print_ThenParse_GivesTheSameThreshold() =>
        Written.Sample(text =>
        {
            if (!ConnectionThreshold.TryParse(text, out var threshold, out _))
            {
                return;
            }

            var printed = threshold!.ToString();
            Assert.True(ConnectionThreshold.TryParse(printed, out var back, out var error), $"{text} printed as {printed}: {error}");
            Assert.Equal(threshold, back);
        }, iter: Iterations);

    private static void AssertFollowsTheRule(ConnectionThreshold threshold, string text)
    {
        if (threshold.Kind == ConnectionThresholdKind.PercentOfUsable)
        {
            Assert.True(threshold.Value is > 0 and <= 100, $"'{text}' accepted as {threshold}");
        }
        else
        {
            Assert.True(threshold.Value is >= 1 and <= ThresholdRules.MaxCount && threshold.Value == Math.Floor(threshold.Value), $"'{text}' accepted as {threshold}");
        }
    }
}
