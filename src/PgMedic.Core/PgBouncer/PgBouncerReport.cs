using PgMedic.Core.Diagnosis;

namespace PgMedic.Core.PgBouncer;

/// <summary>The PgBouncer part of <c>pgmedic diagnose --pgbouncer</c> (JSON contract, docs/pgbouncer.md).</summary>
/// <param name="Error">Why the admin console could not be read; null when it was.</param>
/// <param name="Pools">Each pool with both layers side by side.</param>
public sealed record PgBouncerReport(
    string Target,
    DateTimeOffset? TakenAt,
    string? Version,
    string? Error,
    PgBouncerSettings? Settings,
    IReadOnlyList<PoolLayers> Pools,
    IReadOnlyList<Finding> Findings);

/// <summary>The PgBouncer settings the findings depend on.</summary>
public sealed record PgBouncerSettings(string PoolMode, int DefaultPoolSize, int ReservePoolSize, int MaxClientConn, int MaxDbConnections, int ClientConnections);

/// <summary>
/// One pool seen from both sides: PgBouncer's clients and server connections, and what PostgreSQL
/// shows for those server connections (joined by backend PID).
/// </summary>
/// <param name="PoolSize">The pool size that applies (database <c>pool_size</c> or <c>default_pool_size</c>).</param>
/// <param name="BackendStates">States of the PostgreSQL backends behind this pool's server connections; empty without a server snapshot.</param>
public sealed record PoolLayers(
    string Database,
    string User,
    string PoolMode,
    int PoolSize,
    int ClientActive,
    int ClientWaiting,
    double MaxWaitSeconds,
    int ServerActive,
    int ServerIdle,
    int ServerUsed,
    int ServerLogin,
    IReadOnlyDictionary<string, int> BackendStates);
