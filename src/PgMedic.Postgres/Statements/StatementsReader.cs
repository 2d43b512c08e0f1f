using System.Globalization;
using Npgsql;
using PgMedic.Core.Statements;

namespace PgMedic.Postgres.Statements;

/// <summary>
/// Reads the top statements from <c>pg_stat_statements</c> over a connection the caller owns, with the
/// timing columns of the installed extension version. When the extension is not created in this
/// database, or its library is not preloaded, the report says which and how to enable it. PgMedic's own
/// statements and the drivers' are left out unless asked for (<see cref="StatementSources"/>); to fill the
/// list anyway, up to <see cref="InternalAllowance"/> more rows than asked for are read.
/// </summary>
public static class StatementsReader
{
    private const string ObjectNotInPrerequisiteState = "55000";

    /// <summary>
    /// How many statements beyond the limit are read to make up for hidden ones: PgMedic and the drivers
    /// send a few dozen distinct statements per database and role, not thousands.
    /// </summary>
    public const int InternalAllowance = 200;

    // pg_settings hides shared_preload_libraries from roles without pg_read_all_settings: null then.
    private const string ExtensionSql = StatementSources.Marker + """
        SELECT e.extversion, n.nspname,
               (SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries'),
               current_database()
        FROM (SELECT 1) AS one
        LEFT JOIN pg_extension e ON e.extname = 'pg_stat_statements'
        LEFT JOIN pg_namespace n ON n.oid = e.extnamespace
        """;

    public static async Task<SlowQueryReport> ReadAsync(
        NpgsqlConnection connection, string target, StatementOrder order, int limit, bool allDatabases, bool includeInternal, TimeSpan statementTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        string? version;
        string? schema;
        string? preloadLibraries;
        string database;
        await using (var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(string.Create(CultureInfo.InvariantCulture, $"{StatementSources.Marker}SET statement_timeout = {(int)statementTimeout.TotalMilliseconds}")),
                new NpgsqlBatchCommand(ExtensionSql),
            },
        })
        {
            batch.Timeout = TimeoutSeconds(statementTimeout);
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            version = reader.IsDBNull(0) ? null : reader.GetString(0);
            schema = reader.IsDBNull(1) ? null : reader.GetString(1);
            preloadLibraries = reader.IsDBNull(2) ? null : reader.GetString(2);
            database = reader.GetString(3);
        }

        bool? preloaded = preloadLibraries is null
            ? null
            : preloadLibraries.Split(',', StringSplitOptions.TrimEntries).Select(l => l.Trim('"')).Contains("pg_stat_statements", StringComparer.Ordinal);
        if (version is null || schema is null)
        {
            return SlowQueryReport.Unavailable(
                target, StatementsStatus.ExtensionMissing, $"pg_stat_statements is not installed in database \"{database}\"", database, null, preloadLibraries, preloaded, order, limit, allDatabases) with { IncludesInternal = includeInternal };
        }

        var columns = StatementColumns.ForExtensionVersion(version);
        try
        {
            var ranked = await TopStatementsAsync(connection, Sql(Quote(schema), columns, order), includeInternal ? limit : limit + InternalAllowance, allDatabases, statementTimeout, cancellationToken).ConfigureAwait(false);
            var (statements, hidden) = StatementSources.Pick(ranked, limit, includeInternal);
            return new SlowQueryReport(
                target, StatementsStatus.Ok, null, database, version, columns.MeanTime, columns.TotalTime, SlowQueryReport.OrderName(order), limit, allDatabases, statements, [])
            {
                IncludesInternal = includeInternal,
                Hidden = hidden,
            };
        }
        catch (PostgresException ex) when (ex.SqlState == ObjectNotInPrerequisiteState)
        {
            return SlowQueryReport.Unavailable(
                target, StatementsStatus.NotPreloaded, ex.MessageText, database, version, preloadLibraries, false, order, limit, allDatabases) with { IncludesInternal = includeInternal };
        }
    }

    /// <summary>The statement query; every interpolated name is a fixed column name or a quoted schema, never user text.</summary>
    internal static string Sql(string quotedSchema, StatementColumns columns, StatementOrder order) => $"""
        {StatementSources.Marker}SELECT s.query, s.calls, s.{columns.MeanTime}, s.{columns.TotalTime}, s.rows,
               coalesce(100 * s.{columns.TotalTime} / nullif(sum(s.{columns.TotalTime}) OVER (), 0), 0),
               d.datname, r.rolname
        FROM {quotedSchema}.pg_stat_statements s
        LEFT JOIN pg_database d ON d.oid = s.dbid
        LEFT JOIN pg_roles r ON r.oid = s.userid
        WHERE $2 OR s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        ORDER BY s.{columns.OrderColumn(order)} DESC, s.{columns.TotalTime} DESC
        LIMIT $1
        """;

    private static async Task<List<SlowQuery>> TopStatementsAsync(
        NpgsqlConnection connection, string sql, int limit, bool allDatabases, TimeSpan statementTimeout, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection)
        {
            Parameters =
            {
                new NpgsqlParameter<int> { TypedValue = limit },
                new NpgsqlParameter<bool> { TypedValue = allDatabases },
            },
            CommandTimeout = TimeoutSeconds(statementTimeout),
        };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var statements = new List<SlowQuery>();
        var scrubber = Probing.ConnectionSecrets.For(connection);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            statements.Add(new SlowQuery(
                reader.IsDBNull(0) ? string.Empty : scrubber.Scrub(reader.GetString(0)),
                reader.GetInt64(1),
                Math.Round(reader.GetDouble(2), 3),
                Math.Round(reader.GetDouble(3), 3),
                reader.GetInt64(4),
                Math.Round(reader.GetDouble(5), 2),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7)));
        }

        return statements;
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static int TimeoutSeconds(TimeSpan statementTimeout) => Math.Max(1, (int)Math.Ceiling(statementTimeout.TotalSeconds) + 1);
}
