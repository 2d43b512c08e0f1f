namespace PgMedic.Core.Logs;

/// <summary>
/// The drivers, pools and ORMs a log line names: the exception's module (<c>psycopg2.OperationalError</c>,
/// <c>asyncpg.exceptions.AdminShutdownError</c>, <c>sqlalchemy.exc.OperationalError: (psycopg2.OperationalError)</c>)
/// says which client saw the trouble. Only what the text tells: a bare message names nobody.
/// </summary>
public static class LogDrivers
{
    // Ordered as reported. "psycopg." (psycopg 3's package) never matches psycopg2's "psycopg2.".
    private static readonly (string Token, int Driver)[] Tokens =
    [
        ("psycopg2", 0),
        ("psycopg.", 1),
        ("asyncpg", 2),
        ("sqlalchemy", 3),
        ("sqlalche.me", 3),
        ("Npgsql", 4),
        ("HikariPool", 5),
        ("org.postgresql", 6),
        ("PSQLException", 6),
        ("PG::", 7),
        ("psql:", 8),
    ];

    /// <summary>Every name <see cref="LogKindSummary.Drivers"/> may hold, in the order it lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["psycopg2", "psycopg 3", "asyncpg", "SQLAlchemy", "Npgsql", "HikariCP", "PgJDBC", "ruby-pg", "psql"];

    /// <summary>The drivers named in <paramref name="line"/>, one bit per entry of <see cref="Names"/>.</summary>
    public static int In(ReadOnlySpan<char> line)
    {
        var found = 0;
        foreach (var (token, driver) in Tokens)
        {
            if (line.Contains(token, StringComparison.OrdinalIgnoreCase))
            {
                found |= 1 << driver;
            }
        }

        return found;
    }

    /// <summary>The names of the drivers in <paramref name="mask"/>, in the order of <see cref="Names"/>.</summary>
    public static IReadOnlyList<string> Of(int mask) =>
        mask == 0 ? [] : Names.Where((_, i) => (mask & (1 << i)) != 0).ToList();
}
