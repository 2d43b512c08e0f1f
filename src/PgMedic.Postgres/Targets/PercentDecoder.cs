using System.Text;

namespace PgMedic.Postgres.Targets;

/// <summary>
/// Percent-decoding as libpq does it for URLs: every %XX becomes a byte, the bytes must be UTF-8,
/// and '+' stays a '+' (it is not a space outside HTML forms).
/// </summary>
internal static class PercentDecoder
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <param name="what">Names the part for the message, e.g. "URL user name".</param>
    /// <param name="secret">True for the password: the message then shows nothing of the text.</param>
    public static string Decode(string text, string what, bool secret)
    {
        if (!text.Contains('%', StringComparison.Ordinal))
        {
            return text;
        }

        var bytes = new List<byte>(text.Length);
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '%')
            {
                continue;
            }

            bytes.AddRange(Encoding.UTF8.GetBytes(text[start..i]));
            if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
            {
                throw Problem(text, what, secret, "has a '%' not followed by two hex digits; write a literal '%' as %25");
            }

            var value = (byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2]));
            if (value == 0)
            {
                // libpq refuses %00 too: a NUL would silently cut the value short.
                throw Problem(text, what, secret, "contains %00, which PostgreSQL cannot accept");
            }

            bytes.Add(value);
            i += 2;
            start = i + 1;
        }

        bytes.AddRange(Encoding.UTF8.GetBytes(text[start..]));
        try
        {
            return StrictUtf8.GetString([.. bytes]);
        }
        catch (DecoderFallbackException)
        {
            throw Problem(text, what, secret, "does not decode to UTF-8 text; percent-encode the UTF-8 bytes of each character");
        }
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => c - 'A' + 10,
    };

    private static TargetException Problem(string text, string what, bool secret, string problem) =>
        new(secret ? $"the {what} {problem}" : $"the {what} {MessageText.Quote(text)} {problem}");
}
