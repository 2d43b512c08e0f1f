using System.Text.RegularExpressions;

namespace PgMedic.Core.Secrets;

/// <summary>
/// Masks passwords by their shape, without knowing them: URL userinfo (<c>user:pass@</c>), <c>password=…</c>
/// in conninfo, connection strings and JSON, and the password literals of SQL (<c>PASSWORD '…'</c>,
/// <c>ENCRYPTED PASSWORD '…'</c>, a user mapping's <c>OPTIONS (password '…')</c>, dblink/postgres_fdw
/// connection strings). Query text is cut by <c>track_activity_query_size</c>, so a literal that the cut
/// leaves open is masked to the end.
/// </summary>
public static partial class SecretText
{
    public const string Mask = "***";

    public static string Scrub(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return text;
        }

        var masked = SqlPasswordLiteral().Replace(text, m => m.Groups["lead"].Value + "'" + Mask + "'");
        masked = SqlPasswordDollar().Replace(masked, m => m.Groups["lead"].Value + "'" + Mask + "'");
        masked = UrlPassword().Replace(masked, "$1" + Mask + "@");
        return KeyPassword().Replace(masked, "$1$2" + Mask);
    }

    /// <summary>Null stays null; anything else is <see cref="Scrub(string)"/>ed.</summary>
    public static string? ScrubOrNull(string? text) => text is null ? null : Scrub(text);

    // An E'…' string takes backslash escapes; a plain '…' (standard_conforming_strings, the default) does not.
    [GeneratedRegex(@"(?<lead>\bpassword\s+)(?:[Ee]'(?:[^'\\]|''|\\.)*(?:'|$)|'(?:[^']|'')*(?:'|$))", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex SqlPasswordLiteral();

    [GeneratedRegex(@"(?<lead>\bpassword\s+)(?<tag>\$[A-Za-z_]*\$)[\s\S]*?(?:\k<tag>|$)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex SqlPasswordDollar();

    [GeneratedRegex(@"(://[^/\s:@]*:)[^@\s]*@", RegexOptions.CultureInvariant)]
    private static partial Regex UrlPassword();

    [GeneratedRegex(@"(?i)\b(password|passwd|pwd|pgpassword|pass)(""?\s*[=:]\s*)(""[^""]*""|'(?:[^'\\]|''|\\.)*(?:'|$)|[^\s;,&""')]+)", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPassword();
}
