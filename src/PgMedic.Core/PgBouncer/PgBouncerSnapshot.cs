using System.Globalization;

namespace PgMedic.Core.PgBouncer;

/// <summary>
/// What PgBouncer's admin console said, read in one go: <c>SHOW POOLS</c>, <c>STATS</c>, <c>CLIENTS</c>,
/// <c>SERVERS</c>, <c>CONFIG</c> and <c>DATABASES</c>. The admin database <c>pgbouncer</c> itself is left out.
/// </summary>
public sealed record PgBouncerSnapshot
{
    public const string AdminDatabase = "pgbouncer";

    public required DateTimeOffset TakenAt { get; init; }

    /// <summary>The admin console's masked address.</summary>
    public required string Target { get; init; }

    public string? Version { get; init; }

    public required IReadOnlyList<PgBouncerPool> Pools { get; init; }

    public IReadOnlyList<PgBouncerStats> Stats { get; init; } = [];

    public IReadOnlyList<PgBouncerClient> Clients { get; init; } = [];

    public IReadOnlyList<PgBouncerServer> Servers { get; init; } = [];

    public IReadOnlyList<PgBouncerDatabase> Databases { get; init; } = [];

    /// <summary><c>SHOW CONFIG</c>: key → value.</summary>
    public IReadOnlyDictionary<string, string> Config { get; init; } = new Dictionary<string, string>();

    public string PoolMode => Setting("pool_mode") ?? "session";

    public int DefaultPoolSize => IntSetting("default_pool_size") ?? 20;

    public int ReservePoolSize => IntSetting("reserve_pool_size") ?? 0;

    public int MaxClientConn => IntSetting("max_client_conn") ?? 100;

    /// <summary>0 means no limit.</summary>
    public int MaxDbConnections => IntSetting("max_db_connections") ?? 0;

    public string? Setting(string key) => Config.TryGetValue(key, out var value) ? value : null;

    public int? IntSetting(string key) =>
        Setting(key) is { } text && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>The pool size that applies to a database: its own <c>pool_size</c> when set, else <c>default_pool_size</c>.</summary>
    public int PoolSizeOf(string database) =>
        Databases.FirstOrDefault(d => d.Name == database) is { PoolSize: > 0 } db ? db.PoolSize : DefaultPoolSize;

    public int ReservePoolOf(string database) =>
        Databases.FirstOrDefault(d => d.Name == database) is { ReservePool: >= 0 } db ? db.ReservePool : ReservePoolSize;

    /// <summary>Client connections to PgBouncer, not counting the admin console.</summary>
    public int ClientConnections => Clients.Count(c => c.Database != AdminDatabase);
}

/// <summary>One row of <c>SHOW POOLS</c>: a database/user pair.</summary>
public sealed record PgBouncerPool(
    string Database,
    string User,
    int ClientActive,
    int ClientWaiting,
    int ServerActive,
    int ServerIdle,
    int ServerUsed,
    int ServerTested,
    int ServerLogin,
    TimeSpan MaxWait,
    string PoolMode)
{
    public string Name => $"{Database}/{User}";

    public int ServerConnections => ServerActive + ServerIdle + ServerUsed + ServerTested + ServerLogin;
}

/// <summary>One row of <c>SHOW STATS</c> (totals since start and averages of the last period).</summary>
public sealed record PgBouncerStats(
    string Database,
    long TotalTransactions,
    long TotalQueries,
    TimeSpan TotalWaitTime,
    long AverageTransactionsPerSecond,
    TimeSpan AverageWaitTime);

/// <summary>One row of <c>SHOW CLIENTS</c>.</summary>
/// <param name="State"><c>active</c>, <c>waiting</c>, <c>active_cancel_req</c>, …</param>
/// <param name="Wait">How long a waiting client has waited.</param>
public sealed record PgBouncerClient(string User, string Database, string State, string? Address, int? Port, DateTimeOffset? ConnectTime, TimeSpan Wait, string? ApplicationName);

/// <summary>One row of <c>SHOW SERVERS</c>; <see cref="RemotePid"/> is the PostgreSQL backend's PID.</summary>
public sealed record PgBouncerServer(string User, string Database, string State, string? Address, int? Port, DateTimeOffset? ConnectTime, DateTimeOffset? RequestTime, int? RemotePid, string? ApplicationName);

/// <summary>One row of <c>SHOW DATABASES</c>.</summary>
/// <param name="PoolSize">The database's effective pool size.</param>
/// <param name="MaxConnections">Its <c>max_db_connections</c>; 0 is no limit.</param>
public sealed record PgBouncerDatabase(string Name, string? Host, int? Port, string? RemoteDatabase, int PoolSize, int ReservePool, string? PoolMode, int MaxConnections, int CurrentConnections, bool Paused, bool Disabled);
