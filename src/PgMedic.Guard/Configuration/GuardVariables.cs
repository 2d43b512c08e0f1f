namespace PgMedic.Guard.Configuration;

/// <summary>The environment variables the guard reads (the runbook's names, plus the leak settings).</summary>
public static class GuardVariables
{
    /// <summary><c>DATABASE_URL</c>: a <c>postgres://</c> URL or an Npgsql connection string (<see cref="GuardOptions.ConnectionString"/>).</summary>
    public const string DatabaseUrl = "DATABASE_URL";
    /// <summary><c>DATABASE_POOL_SIZE</c>: connections checked out before overflow begins (<see cref="GuardOptions.PoolSize"/>, default 20).</summary>
    public const string PoolSize = "DATABASE_POOL_SIZE";
    /// <summary><c>DATABASE_MAX_OVERFLOW</c>: checkouts allowed beyond the pool size (<see cref="GuardOptions.MaxOverflow"/>, default 10).</summary>
    public const string MaxOverflow = "DATABASE_MAX_OVERFLOW";
    /// <summary><c>DATABASE_POOL_TIMEOUT</c>: how long a checkout waits for a free slot, in seconds (<see cref="GuardOptions.PoolTimeout"/>, default 30).</summary>
    public const string PoolTimeout = "DATABASE_POOL_TIMEOUT";
    /// <summary><c>DATABASE_POOL_RECYCLE</c>: the longest a physical connection lives, in seconds (<see cref="GuardOptions.PoolRecycle"/>, default 300).</summary>
    public const string PoolRecycle = "DATABASE_POOL_RECYCLE";
    /// <summary><c>DATABASE_CONNECT_TIMEOUT</c>: how long opening a physical connection may take, in seconds (<see cref="GuardOptions.ConnectTimeout"/>).</summary>
    public const string ConnectTimeout = "DATABASE_CONNECT_TIMEOUT";
    /// <summary><c>DATABASE_COMMAND_TIMEOUT</c>: the default command timeout, in seconds (<see cref="GuardOptions.CommandTimeout"/>).</summary>
    public const string CommandTimeout = "DATABASE_COMMAND_TIMEOUT";
    /// <summary><c>DATABASE_POOL_PRE_PING</c>: validate a reused connection before handing it out (<see cref="GuardOptions.PrePing"/>).</summary>
    public const string PoolPrePing = "DATABASE_POOL_PRE_PING";
    /// <summary><c>DATABASE_ECHO_POOL</c>: log every checkout and return (<see cref="GuardOptions.EchoPool"/>).</summary>
    public const string EchoPool = "DATABASE_ECHO_POOL";
    /// <summary><c>MAINTENANCE_MODE</c>: start with new checkouts refused (<see cref="GuardOptions.MaintenanceMode"/>).</summary>
    public const string MaintenanceMode = "MAINTENANCE_MODE";
    /// <summary><c>DATABASE_LEAK_THRESHOLD</c>: a checkout held longer, in seconds, is reported as a leak (<see cref="GuardOptions.LeakThreshold"/>).</summary>
    public const string LeakThreshold = "DATABASE_LEAK_THRESHOLD";
    /// <summary><c>DATABASE_LEAK_STACK_TRACES</c>: <c>off</c>, <c>all</c> or N for one checkout in N (<see cref="GuardOptions.StackTraces"/>).</summary>
    public const string LeakStackTraces = "DATABASE_LEAK_STACK_TRACES";
}
