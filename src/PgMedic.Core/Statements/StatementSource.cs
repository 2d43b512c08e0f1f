using System.Text.Json.Serialization;

namespace PgMedic.Core.Statements;

/// <summary>Who sent a statement: the application, PgMedic itself, or a driver or pool doing its own housekeeping.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StatementSource>))]
public enum StatementSource
{
    [JsonStringEnumMemberName("application")]
    Application,

    /// <summary>PgMedic's collectors, probes and remediation: every statement it sends starts with <see cref="StatementSources.Marker"/>.</summary>
    [JsonStringEnumMemberName("pgmedic")]
    PgMedic,

    /// <summary>
    /// A driver's or pool's own statements: type loading, version and schema checks, connection checks
    /// (<c>SELECT 1</c>), pool resets (<c>DISCARD ALL</c>) and session settings (<c>SET</c>, <c>RESET</c>, <c>SHOW</c>).
    /// </summary>
    [JsonStringEnumMemberName("driver")]
    Driver,
}

/// <summary>
/// Tells the application's statements from PgMedic's and the drivers' in <c>pg_stat_statements</c>, whose
/// text is the query as sent (constants replaced by <c>$1</c>, comments kept): the slow-query list is
/// for the application's own statements, which the others would crowd out.
/// </summary>
public static class StatementSources
{
    /// <summary>The comment every statement PgMedic sends starts with, so that its own statements can be told apart.</summary>
    public const string Marker = "/* pgmedic */ ";

    // The first words of statements drivers send on their own, lower case with whitespace collapsed.
    private static readonly string[] DriverPrefixes =
    [
        // Npgsql loads the server's types on a data source's first connection.
        "select ns.nspname, t.oid, t.typname",
        "-- load field definitions for (free-standing) composite types",
        "-- load enum fields",
        // psycopg2 / SQLAlchemy look up the hstore type.
        "select t.oid, typarray from pg_type t join pg_namespace ns on typnamespace = ns.oid",
    ];

    // Whole statements drivers and pools send: version and schema checks on connect, connection checks.
    private static readonly HashSet<string> DriverStatements = new(StringComparer.Ordinal)
    {
        "select version()",
        "select pg_catalog.version()",
        "select current_schema()",
        "select 1",
        "select $1",
    };

    // Session set-up, never where an application's time goes: drivers and pools send these on connect and reset.
    private static readonly string[] SessionCommands = ["set", "reset", "show", "discard"];

    public static StatementSource Of(string? query)
    {
        var text = Normalize(query);
        if (text.StartsWith(Marker.TrimEnd(), StringComparison.Ordinal))
        {
            return StatementSource.PgMedic;
        }

        var firstWord = text.Split(' ', 2)[0];
        return DriverStatements.Contains(text)
            || SessionCommands.Contains(firstWord, StringComparer.Ordinal)
            || DriverPrefixes.Any(prefix => text.StartsWith(prefix, StringComparison.Ordinal))
            ? StatementSource.Driver
            : StatementSource.Application;
    }

    /// <summary>
    /// The first <paramref name="limit"/> statements of a ranked list, without PgMedic's and the drivers' unless
    /// <paramref name="includeInternal"/>, and how many of those ranked above the last one shown were left out.
    /// </summary>
    public static (IReadOnlyList<SlowQuery> Shown, int Hidden) Pick(IEnumerable<SlowQuery> ranked, int limit, bool includeInternal)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        var shown = new List<SlowQuery>();
        var hidden = 0;
        foreach (var statement in ranked)
        {
            if (shown.Count == limit)
            {
                break;
            }

            if (includeInternal || statement.Source == StatementSource.Application)
            {
                shown.Add(statement);
            }
            else
            {
                hidden++;
            }
        }

        return (shown, hidden);
    }

    private static string Normalize(string? query) =>
        string.Join(' ', (query ?? string.Empty).Split((char[])[' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries))
            .TrimEnd(';', ' ')
            .ToLowerInvariant();
}
