namespace PgMedic.Core.Statements;

/// <summary>
/// The <c>pg_stat_statements</c> timing columns of one installed extension version. Extension 1.8
/// (shipped with PostgreSQL 13) renamed <c>total_time</c>/<c>mean_time</c> to
/// <c>total_exec_time</c>/<c>mean_exec_time</c>; a PostgreSQL 13+ server can still run 1.7 until
/// <c>ALTER EXTENSION … UPDATE</c>, so the choice follows the extension, not the server (pgcenter #98).
/// </summary>
public sealed record StatementColumns(string TotalTime, string MeanTime)
{
    public static readonly Version ExecTimeSince = new(1, 8);

    public static StatementColumns Legacy { get; } = new("total_time", "mean_time");

    public static StatementColumns Exec { get; } = new("total_exec_time", "mean_exec_time");

    /// <summary>
    /// The columns of the installed version (<c>SELECT extversion FROM pg_extension WHERE extname = 'pg_stat_statements'</c>).
    /// Versions compare part by part, so 1.10 is newer than 1.8. A version that does not parse gets the current names.
    /// </summary>
    public static StatementColumns ForExtensionVersion(string? extensionVersion) =>
        TryParseVersion(extensionVersion, out var version) && version < ExecTimeSince ? Legacy : Exec;

    public static bool TryParseVersion(string? text, out Version version)
    {
        var trimmed = text?.Trim() ?? string.Empty;
        if (trimmed.Length > 0 && !trimmed.Contains('.', StringComparison.Ordinal))
        {
            trimmed += ".0";
        }

        if (Version.TryParse(trimmed, out var parsed))
        {
            version = parsed;
            return true;
        }

        version = new Version(0, 0);
        return false;
    }

    /// <summary>The column to sort by for <paramref name="order"/>; always one of these fixed names, never user text.</summary>
    public string OrderColumn(StatementOrder order) => order switch
    {
        StatementOrder.Total => TotalTime,
        StatementOrder.Calls => "calls",
        _ => MeanTime,
    };
}
