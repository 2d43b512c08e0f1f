using System.Text.Json.Serialization;
using PgMedic.Core.Common;

namespace PgMedic.Core.Statements;

/// <summary>One normalised statement from <c>pg_stat_statements</c>.</summary>
/// <param name="SharePercent">This statement's share of the total execution time of every statement in scope.</param>
public sealed record SlowQuery(
    string Query,
    long Calls,
    double MeanMilliseconds,
    double TotalMilliseconds,
    long Rows,
    double SharePercent,
    string? Database,
    string? User)
{
    /// <summary>Whose statement it is; only the application's are listed unless the internal ones are asked for.</summary>
    public StatementSource Source => StatementSources.Of(Query);
}

/// <summary>Why <c>pg_stat_statements</c> could not be read. The strings are part of the JSON contract.</summary>
public static class StatementsStatus
{
    public const string Ok = "ok";

    /// <summary><c>CREATE EXTENSION pg_stat_statements</c> has not been run in the target's database.</summary>
    public const string ExtensionMissing = "extension-missing";

    /// <summary>The extension exists but the library is not in <c>shared_preload_libraries</c>.</summary>
    public const string NotPreloaded = "not-preloaded";
}

/// <summary>
/// The answer of <c>pgmedic slow-queries</c>, in the shape of its JSON (documented in docs/commands/slow-queries.md).
/// When <see cref="Status"/> is not ok, <see cref="Statements"/> is empty and <see cref="EnableSteps"/> says what to do.
/// </summary>
public sealed record SlowQueryReport(
    string Target,
    string Status,
    string? Message,
    string? Database,
    string? ExtensionVersion,
    string? MeanColumn,
    string? TotalColumn,
    string Order,
    int Limit,
    bool AllDatabases,
    IReadOnlyList<SlowQuery> Statements,
    IReadOnlyList<string> EnableSteps)
{
    public const string NotPreloadedMessage = "pg_stat_statements must be loaded via shared_preload_libraries";

    /// <summary>Statements by PgMedic and drivers listed too; by default only the application's are.</summary>
    public bool IncludesInternal { get; init; }

    /// <summary>Statements by PgMedic and drivers left out that ranked above the last one listed (0 when they are included).</summary>
    public int Hidden { get; init; }

    /// <summary>Said once in the JSON, by <see cref="Status"/>.</summary>
    [JsonIgnore]
    public bool IsAvailable => Status == StatementsStatus.Ok;

    /// <summary>The command's exit code: 0 listed, 3 when pg_stat_statements cannot be read (<see cref="EnableSteps"/> say how to fix that).</summary>
    public ExitCode ExitCode => IsAvailable ? ExitCode.Ok : ExitCode.Unknown;

    /// <summary>
    /// The two steps that make <c>pg_stat_statements</c> readable, each marked done when it is known to be.
    /// </summary>
    /// <param name="preloadLibraries">The current <c>shared_preload_libraries</c>, or null when this role may not read it.</param>
    /// <param name="preloaded">Whether the library is loaded; null when PgMedic could not tell.</param>
    /// <param name="extensionCreated">Whether <c>CREATE EXTENSION</c> has been run in <paramref name="database"/>.</param>
    public static IReadOnlyList<string> Steps(string? preloadLibraries, bool? preloaded, bool extensionCreated, string database)
    {
        var libraries = (preloadLibraries ?? string.Empty)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Trim('"'))
            .Where(l => l != "pg_stat_statements")
            .Append("pg_stat_statements");
        var set = $"ALTER SYSTEM SET shared_preload_libraries = '{string.Join(",", libraries)}';"
            + (preloadLibraries is null ? " (keep any libraries already listed there)" : string.Empty)
            + " then restart PostgreSQL — a reload is not enough";
        var first = preloaded switch
        {
            true => "1. done: shared_preload_libraries lists pg_stat_statements",
            false => "1. as a superuser: " + set,
            null => "1. check as a superuser that SHOW shared_preload_libraries lists pg_stat_statements; if not: " + set,
        };
        var second = extensionCreated
            ? $"2. done: the extension exists in database \"{database}\""
            : $"2. in database \"{database}\", as a superuser or the database owner: CREATE EXTENSION pg_stat_statements;";
        return [first, second];
    }

    public static SlowQueryReport Unavailable(
        string target, string status, string message, string database, string? extensionVersion, string? preloadLibraries, bool? preloaded, StatementOrder order, int limit, bool allDatabases) =>
        new(target, status, message, database, extensionVersion, null, null, OrderName(order), limit, allDatabases, [], Steps(preloadLibraries, preloaded, extensionVersion is not null, database));

    public static string OrderName(StatementOrder order) => order.ToString().ToLowerInvariant();
}
