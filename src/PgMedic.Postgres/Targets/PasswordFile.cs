using System.Globalization;
using System.Text;

namespace PgMedic.Postgres.Targets;

/// <summary>
/// The libpq password file (~/.pgpass): lines of <c>hostname:port:database:username:password</c>,
/// where <c>*</c> alone matches anything, <c>\:</c> and <c>\\</c> are literal, lines starting
/// with '#' are comments, and the first matching line wins.
/// </summary>
internal static class PasswordFile
{
    private const UnixFileMode GroupOrWorld =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// The password for this login, or null. A missing file is normal and says nothing; a file we
    /// refuse or cannot read is reported in <paramref name="warnings"/>, as libpq prints it.
    /// </summary>
    public static string? Read(string path, PasswordFileKey key, ICollection<string> warnings)
    {
        if (!File.Exists(path))
        {
            if (Directory.Exists(path))
            {
                warnings.Add($"password file {path} is not a plain file; ignored");
            }

            return null;
        }

        try
        {
            // libpq ignores a file others can read, so that a leaked password stops working
            // the same way for psql and for us.
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & GroupOrWorld) != 0)
            {
                warnings.Add($"password file {path} has group or world access; ignored — chmod 0600 it");
                return null;
            }

            return Find(File.ReadLines(path), key);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            warnings.Add($"password file {path} could not be read ({e.GetType().Name}); ignored");
            return null;
        }
    }

    public static string? Find(IEnumerable<string> lines, PasswordFileKey key)
    {
        // A Unix-socket (or empty) host is looked up as localhost, as libpq does.
        var host = key.Host.Length == 0 || key.Host[0] == '/' ? "localhost" : key.Host;
        var wanted = new[] { host, key.Port.ToString(CultureInfo.InvariantCulture), key.Database, key.User };
        foreach (var line in lines)
        {
            if (line.Length == 0 || line[0] == '#' || Split(line) is not { } entry)
            {
                continue;
            }

            var matches = true;
            for (var i = 0; i < wanted.Length && matches; i++)
            {
                matches = entry.Fields[i] is null || entry.Fields[i] == wanted[i];
            }

            if (matches)
            {
                return entry.Password;
            }
        }

        return null;
    }

    /// <summary>The four match fields (null for a '*' wildcard) and the password; null for a line with too few fields.</summary>
    private static PasswordFileEntry? Split(string line)
    {
        var fields = new string?[4];
        var current = new StringBuilder();
        var raw = new StringBuilder();
        var field = 0;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (field < 4 && c == ':')
            {
                fields[field++] = raw.ToString() == "*" ? null : current.ToString();
                current.Clear();
                raw.Clear();
                continue;
            }

            raw.Append(c);
            if (c == '\\' && i + 1 < line.Length)
            {
                c = line[++i];
                raw.Append(c);
            }

            current.Append(c);
        }

        return field == 4 ? new PasswordFileEntry(fields, current.ToString()) : null;
    }

    private sealed record PasswordFileEntry(string?[] Fields, string Password);
}

/// <summary>What a password-file line is matched against, after defaults are applied.</summary>
internal sealed record PasswordFileKey(string Host, int Port, string Database, string User);
