using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace PgMedic.Core.Secrets;

/// <summary>
/// Removes known secrets (the target's password, a token) from free text in every form they travel in —
/// as typed, percent-encoded (either case, form-encoded), SQL-quoted, JSON- or backslash-escaped and
/// base64 — and then masks whatever looks like a password (<see cref="SecretText"/>). Every output path
/// that can carry text it did not write (hook output, error messages, query text) goes through one.
/// </summary>
public sealed class SecretScrubber
{
    /// <summary>Shorter forms are left to the shape rules: replacing every 'ab' in a text would hide the text, not the secret.</summary>
    private const int MinimumLength = 3;

    private readonly string[] _forms;

    public SecretScrubber(params IEnumerable<string?> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        _forms = secrets
            .Where(s => !string.IsNullOrEmpty(s))
            .SelectMany(s => FormsOf(s!))
            .Where(f => f.Length >= MinimumLength)
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(f => f.Length)
            .ToArray();
    }

    /// <summary>Masks by shape only: for text where no secret is known.</summary>
    public static SecretScrubber None { get; } = new();

    public string Scrub(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var form in _forms)
        {
            text = text.Replace(form, SecretText.Mask, StringComparison.Ordinal);
        }

        return SecretText.Scrub(text);
    }

    public string? ScrubOrNull(string? text) => text is null ? null : Scrub(text);

    private static IEnumerable<string> FormsOf(string secret)
    {
        yield return secret;
        var escaped = Uri.EscapeDataString(secret);
        yield return escaped;
        yield return LowerPercent(escaped);
        yield return WebUtility.UrlEncode(secret);
        yield return secret.Replace("'", "''", StringComparison.Ordinal);
        yield return secret.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        yield return JsonEncodedText.Encode(secret, JavaScriptEncoder.Default).Value;
        yield return JsonEncodedText.Encode(secret, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value;
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(secret));
        yield return base64;
        yield return base64.TrimEnd('=');
    }

    private static string LowerPercent(string escaped)
    {
        var builder = new StringBuilder(escaped.Length);
        for (var i = 0; i < escaped.Length; i++)
        {
            if (escaped[i] == '%' && i + 2 < escaped.Length)
            {
                builder.Append('%').Append(char.ToLowerInvariant(escaped[i + 1])).Append(char.ToLowerInvariant(escaped[i + 2]));
                i += 2;
            }
            else
            {
                builder.Append(escaped[i]);
            }
        }

        return builder.ToString();
    }
}
