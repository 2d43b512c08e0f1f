using System.Text;
using CsCheck;
using PgMedic.Core.Secrets;

namespace PgMedic.Core.Tests.Secrets;

/// <summary>Generated passwords in generated text, in each encoding they travel in: the scrubber leaves none of them.</summary>
public sealed class SecretScrubberPropertyTests
{
    public const int Iterations = 20_000;

    private static readonly Func<string, string>[] Encodings =
    [
        p => p,
        Uri.EscapeDataString,
        p => System.Net.WebUtility.UrlEncode(p),
        p => p.Replace("'", "''", StringComparison.Ordinal),
        p => System.Text.Json.JsonSerializer.Serialize(p).Trim('"'),
        p => Convert.ToBase64String(Encoding.UTF8.GetBytes(p)),
    ];

    [Fact]
    public void AnyPasswordInAnyEncodingInAnyText_Gone() =>
        Gen.Select(
            Gen.Char["abcXYZ019 :@/?#%'\"\\;=&+é€\t"].Array[3, 30].Select(c => new string(c)),
            Gen.Char["abcdefghij .,;:-\n"].Array[0, 40].Select(c => new string(c)),
            Gen.Int[0, Encodings.Length - 1]).Sample((password, text, encoding) =>
        {
            var form = Encodings[encoding](password);
            var cut = text.Length / 2;

            var shown = new SecretScrubber(password).Scrub(text[..cut] + form + text[cut..]);

            Assert.DoesNotContain(form, shown, StringComparison.Ordinal);
        }, iter: Iterations);

    [Fact]
    public void SqlPasswordLiteral_WithAnyQuotedContent_Masked() =>
        Gen.Char["abcXYZ019 :@/?#%\"\\;=&+é€"].Array[1, 40].Select(c => new string(c)).Sample(secret =>
        {
            var sql = $"ALTER ROLE app WITH PASSWORD '{secret.Replace("'", "''", StringComparison.Ordinal)}' VALID UNTIL 'infinity'";

            Assert.Equal("ALTER ROLE app WITH PASSWORD '***' VALID UNTIL 'infinity'", SecretText.Scrub(sql));
        }, iter: Iterations);
}
