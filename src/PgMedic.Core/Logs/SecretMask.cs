using System.Text.RegularExpressions;

namespace PgMedic.Core.Logs;

/// <summary>Masks passwords in log lines before they are shown: URLs with <c>user:pass@</c>, <c>password=…</c> in conninfo and connection strings, JSON <c>"password":"…"</c>.</summary>
public static partial class SecretMask
{
    public static string Mask(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var masked = UrlPassword().Replace(line, "$1***@");
        return KeyPassword().Replace(masked, "$1$2***");
    }

    [GeneratedRegex(@"(://[^/\s:@]*:)[^@\s]*@", RegexOptions.CultureInvariant)]
    private static partial Regex UrlPassword();

    [GeneratedRegex(@"(?i)\b(password|passwd|pwd|pgpassword|pass)(""?\s*[=:]\s*)(""[^""]*""|'[^']*'|[^\s;,&""']+)", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPassword();
}
