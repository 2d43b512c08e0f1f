using System.Globalization;
using PgMedic.Core.Logs;
using PgMedic.Core.PgBouncer;
using PgMedic.Postgres.Targets;

namespace PgMedic.Postgres.PgBouncer;

/// <summary>
/// Reads PgBouncer's admin console over one connection: <c>SHOW POOLS</c> (required), then <c>STATS</c>,
/// <c>CLIENTS</c>, <c>SERVERS</c>, <c>CONFIG</c> and <c>DATABASES</c> (each skipped when this user may not
/// run it). Columns are read by name, so PgBouncer versions that add or rename columns still work.
/// </summary>
public static class PgBouncerCollector
{
    /// <param name="target">The admin console; its database is replaced by <c>pgbouncer</c>.</param>
    /// <exception cref="PgBouncerException">The console could not be reached or refused <c>SHOW POOLS</c>.</exception>
    public static async Task<PgBouncerSnapshot> CollectAsync(ConnectionTarget target, TimeProvider time, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(time);
        await using var connection = await SimpleQueryConnection.OpenAsync(target, PgBouncerSnapshot.AdminDatabase, timeout, cancellationToken).ConfigureAwait(false);
        var takenAt = time.GetUtcNow();
        var pools = await connection.QueryAsync("SHOW POOLS", cancellationToken).ConfigureAwait(false);
        var stats = await OptionalAsync(connection, "SHOW STATS", cancellationToken).ConfigureAwait(false);
        var clients = await OptionalAsync(connection, "SHOW CLIENTS", cancellationToken).ConfigureAwait(false);
        var servers = await OptionalAsync(connection, "SHOW SERVERS", cancellationToken).ConfigureAwait(false);
        var config = await OptionalAsync(connection, "SHOW CONFIG", cancellationToken).ConfigureAwait(false);
        var databases = await OptionalAsync(connection, "SHOW DATABASES", cancellationToken).ConfigureAwait(false);
        return new PgBouncerSnapshot
        {
            TakenAt = takenAt,
            Target = target.WithDatabase(PgBouncerSnapshot.AdminDatabase).Masked,
            Version = connection.ServerVersion,
            Pools = pools.Records.Select(Pool).ToList(),
            Stats = stats?.Records.Select(Stats).ToList() ?? [],
            Clients = clients?.Records.Select(Client).ToList() ?? [],
            Servers = servers?.Records.Select(Server).ToList() ?? [],
            Config = config?.Records.Where(r => r["key"] is not null).ToDictionary(r => r["key"]!, r => r["value"] ?? string.Empty) ?? [],
            Databases = databases?.Records.Select(Database).ToList() ?? [],
        };
    }

    /// <summary>Only <c>SHOW POOLS</c>: what <c>check pgbouncer-waiting</c> needs, nothing more.</summary>
    /// <exception cref="PgBouncerException">The console could not be reached or refused the command.</exception>
    public static async Task<IReadOnlyList<PgBouncerPool>> PoolsAsync(ConnectionTarget target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        await using var connection = await SimpleQueryConnection.OpenAsync(target, PgBouncerSnapshot.AdminDatabase, timeout, cancellationToken).ConfigureAwait(false);
        var pools = await connection.QueryAsync("SHOW POOLS", cancellationToken).ConfigureAwait(false);
        return pools.Records.Select(Pool).ToList();
    }

    private static async Task<SimpleQueryResult?> OptionalAsync(SimpleQueryConnection connection, string command, CancellationToken cancellationToken)
    {
        try
        {
            return await connection.QueryAsync(command, cancellationToken).ConfigureAwait(false);
        }
        catch (PgBouncerException e) when (e.SqlState is not null)
        {
            // Refused for this user (stats_users may not run every SHOW): the findings that need it are skipped.
            return null;
        }
    }

    private static PgBouncerPool Pool(SimpleRow r) => new(
        r["database"] ?? string.Empty,
        r["user"] ?? string.Empty,
        Int(r["cl_active"]),
        Int(r["cl_waiting"]),
        Int(r["sv_active"]),
        Int(r["sv_idle"]),
        Int(r["sv_used"]),
        Int(r["sv_tested"]),
        Int(r["sv_login"]),
        TimeSpan.FromSeconds(Long(r["maxwait"])) + TimeSpan.FromMicroseconds(Long(r["maxwait_us"])),
        r["pool_mode"] ?? "session");

    private static PgBouncerStats Stats(SimpleRow r) => new(
        r["database"] ?? string.Empty,
        Long(r["total_xact_count"]),
        Long(r["total_query_count"]),
        TimeSpan.FromMicroseconds(Long(r["total_wait_time"])),
        Long(r["avg_xact_count"]),
        TimeSpan.FromMicroseconds(Long(r["avg_wait_time"])));

    private static PgBouncerClient Client(SimpleRow r) => new(
        r["user"] ?? string.Empty,
        r["database"] ?? string.Empty,
        r["state"] ?? string.Empty,
        r["addr"],
        NullableInt(r["port"]),
        Time(r["connect_time"]),
        TimeSpan.FromSeconds(Long(r["wait"])) + TimeSpan.FromMicroseconds(Long(r["wait_us"])),
        Empty(r["application_name"]));

    private static PgBouncerServer Server(SimpleRow r) => new(
        r["user"] ?? string.Empty,
        r["database"] ?? string.Empty,
        r["state"] ?? string.Empty,
        r["addr"],
        NullableInt(r["port"]),
        Time(r["connect_time"]),
        Time(r["request_time"]),
        NullableInt(r["remote_pid"]) is { } pid && pid > 0 ? pid : null,
        Empty(r["application_name"]));

    private static PgBouncerDatabase Database(SimpleRow r) => new(
        r["name"] ?? string.Empty,
        Empty(r["host"]),
        NullableInt(r["port"]),
        Empty(r["database"]),
        Int(r["pool_size"]),
        NullableInt(r["reserve_pool_size"]) ?? NullableInt(r["reserve_pool"]) ?? -1,
        Empty(r["pool_mode"]),
        Int(r["max_connections"]),
        Int(r["current_connections"]),
        Int(r["paused"]) != 0,
        Int(r["disabled"]) != 0);

    private static int Int(string? text) => NullableInt(text) ?? 0;

    private static int? NullableInt(string? text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static long Long(string? text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;

    private static string? Empty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static DateTimeOffset? Time(string? text) =>
        text is not null && LogTimestamp.TryParse(text, 2000, out var value) ? value : null;
}
