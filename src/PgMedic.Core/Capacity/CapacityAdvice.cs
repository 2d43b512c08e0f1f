using System.Text.Json.Serialization;

namespace PgMedic.Core.Capacity;

/// <summary>The answer of <c>pgmedic advise</c>: can the pools exhaust the server, and what to set instead (JSON contract, docs/commands/advise.md).</summary>
/// <param name="CanExhaust">True when every worker's pool at its maximum needs more connections than the server can give them.</param>
/// <param name="Slots">How the server's connection slots divide up.</param>
/// <param name="Demand">Worst-case connections of the deployment as it is configured today.</param>
/// <param name="Pool">Per-worker pool settings for connecting straight to PostgreSQL.</param>
/// <param name="Pooler">PgBouncer settings; <see cref="PoolerAdvice.Recommended"/> says whether one is needed.</param>
/// <param name="Server">Server timeouts, each with its current value and why.</param>
/// <param name="Reasoning">Every step of the computation, one line each, in order.</param>
public sealed record CapacityAdvice(
    bool CanExhaust,
    SlotBudget Slots,
    DeploymentDemand Demand,
    PoolAdvice Pool,
    PoolerAdvice Pooler,
    IReadOnlyList<SettingAdvice> Server,
    ObservedLoad Observed,
    IReadOnlyList<string> Reasoning)
{
    /// <summary>What the monitor saw over days, when the advice started from its history (<c>--history</c>); null from one snapshot.</summary>
    public CapacityHistory? History { get; init; }

    /// <summary>At the trend of the history's peaks, usable slots run out within <see cref="CapacityAdvisor.RunOutWarningDays"/> days.</summary>
    public bool RunsOutSoon => History?.Trend?.DaysUntilFull is { } days && days <= CapacityAdvisor.RunOutWarningDays;
}

/// <param name="Usable">max_connections − superuser_reserved_connections − reserved_connections.</param>
/// <param name="AdminHeadroom">Slots left free for psql, migrations, monitoring and PgMedic itself.</param>
/// <param name="OtherClients">Slots other applications were seen using.</param>
/// <param name="ForDeployment">What is left for the deployment's pools.</param>
/// <remarks>JSON names are the vocabulary's (docs/json.md), as diagnose's <c>server</c> and <c>usage</c> spell them.</remarks>
public sealed record SlotBudget(
    int MaxConnections,
    [property: JsonPropertyName("superuserReservedConnections")] int SuperuserReserved,
    [property: JsonPropertyName("reservedConnections")] int Reserved,
    [property: JsonPropertyName("usableSlots")] int Usable,
    int AdminHeadroom,
    [property: JsonPropertyName("otherClientBackends")] int OtherClients,
    int ForDeployment);

/// <param name="MaxConnections">Workers × (pool size + overflow).</param>
public sealed record DeploymentDemand(int Workers, int PoolSize, int MaxOverflow, bool PoolSizeAssumed, int MaxConnections);

/// <param name="MaxPerWorker">The most one worker may hold (pool + overflow) without exhausting the server.</param>
/// <param name="ActiveTarget">Connections doing work at once across the deployment (cores × 2), or null without <c>--cores</c>.</param>
public sealed record PoolAdvice(
    int PoolSize,
    int MaxOverflow,
    int MaxPerWorker,
    int? ActiveTarget,
    int PoolTimeoutSeconds,
    int PoolRecycleSeconds,
    int ConnectTimeoutSeconds,
    int CommandTimeoutSeconds,
    bool Feasible);

/// <param name="Recommended">True when the pools' sum exceeds the server: a pooler multiplexes them onto a few server connections.</param>
public sealed record PoolerAdvice(
    bool Recommended,
    string PoolMode,
    int DefaultPoolSize,
    int ReservePoolSize,
    int MaxDbConnections,
    int MaxClientConn,
    int QueryWaitTimeoutSeconds,
    int IdleTransactionTimeoutSeconds,
    int ServerIdleTimeoutSeconds,
    int ServerLifetimeSeconds);

/// <param name="Current">The server's value as PostgreSQL shows it ("0" is off).</param>
/// <param name="Recommended">The value to set, or null to leave it as it is.</param>
public sealed record SettingAdvice(string Name, string Current, string? Recommended, string Reason, string? Sql);

/// <param name="Source">Where the numbers came from (a snapshot and its time).</param>
public sealed record ObservedLoad([property: JsonPropertyName("peakClientBackends")] int PeakClients, int PeakActive, int IdleInTransaction, double IdleRatio, string Source);
