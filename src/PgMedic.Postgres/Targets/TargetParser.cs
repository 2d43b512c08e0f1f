using System.Text.RegularExpressions;

namespace PgMedic.Postgres.Targets;

/// <summary>
/// Recognises which of the three forms a target string is in and parses it.
/// </summary>
internal static partial class TargetParser
{
    public static TargetFields Parse(string text, ICollection<string> warnings)
    {
        var trimmed = text.Trim();
        return Detect(trimmed) switch
        {
            TargetFormat.Url => PostgresUrlParser.Parse(trimmed),
            TargetFormat.Conninfo => ConninfoParser.Parse(trimmed),
            _ => NpgsqlStringParser.Parse(trimmed, warnings),
        };
    }

    /// <summary>
    /// The rule, in order:
    /// 1. postgres:// or postgresql:// is a URL; any other scheme:// is refused.
    /// 2. No '=' at all is neither of the other forms, so it is refused.
    /// 3. A ';' outside single quotes means Npgsql: conninfo separates pairs with spaces, and a
    ///    conninfo value holding ';' is normally quoted.
    /// 4. Otherwise it is conninfo if the first keyword is a conninfo keyword. If it is not, but
    ///    Npgsql knows it and the text is a single pair ("Host=db", "User Id=app"), it is Npgsql.
    /// 5. Anything else is parsed as conninfo, whose errors name the unknown keyword.
    /// </summary>
    public static TargetFormat Detect(string text)
    {
        if (text.Length == 0)
        {
            throw new TargetException("nothing given; pass a postgres:// URL, a conninfo string (host=... dbname=...) or an Npgsql connection string (Host=...;Database=...), or leave TARGET out to use DATABASE_URL or the PG* variables");
        }

        if (PostgresUrlParser.HasPostgresScheme(text))
        {
            return TargetFormat.Url;
        }

        if (SchemePattern().Match(text) is { Success: true } scheme)
        {
            throw new TargetException($"the scheme {MessageText.Quote(scheme.Value)} is not PostgreSQL; use postgres:// or postgresql://");
        }

        if (!text.Contains('=', StringComparison.Ordinal))
        {
            // A scheme-less URL (app:pw@db/shop) holds a password, so it is not repeated.
            return text.Contains('@', StringComparison.Ordinal)
                ? throw new TargetException("this is not a URL, conninfo or connection string (not shown: it holds an '@', so perhaps a password); a URL must start with postgres:// or postgresql://")
                : throw new TargetException($"{MessageText.Quote(text)} is not a URL, conninfo or connection string; write postgres://host/db, host=... dbname=..., or Host=...;Database=...");
        }

        if (HasSemicolonOutsideQuotes(text))
        {
            return TargetFormat.NpgsqlConnectionString;
        }

        var firstKeyword = text[..text.IndexOf('=', StringComparison.Ordinal)].Trim();
        if (LibpqKeywords.IsKnown(firstKeyword))
        {
            return TargetFormat.Conninfo;
        }

        return firstKeyword.Length > 0 && NpgsqlStringParser.IsKnownKeyword(firstKeyword) && !HasSeveralConninfoPairs(text)
            ? TargetFormat.NpgsqlConnectionString
            : TargetFormat.Conninfo;
    }

    private static bool HasSemicolonOutsideQuotes(string text)
    {
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '\\' when quoted:
                    i++;
                    break;
                case '\'':
                    quoted = !quoted;
                    break;
                case ';' when !quoted:
                    return true;
            }
        }

        return false;
    }

    private static bool HasSeveralConninfoPairs(string text)
    {
        try
        {
            return ConninfoParser.Tokenize(text).Count > 1;
        }
        catch (TargetException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.\-]*://")]
    private static partial Regex SchemePattern();
}
