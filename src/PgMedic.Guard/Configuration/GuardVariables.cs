namespace PgMedic.Guard.Configuration;

/// <summary>The environment variables the guard reads (the runbook's names, plus the leak settings).</summary>
public static class GuardVariables
{
    public const string DatabaseUrl = "DATABASE_URL";
    public const string PoolSize = "DATABASE_POOL_SIZE";
    public const string MaxOverflow = "DATABASE_MAX_OVERFLOW";
    public const string PoolTimeout = "DATABASE_POOL_TIMEOUT";
    public const string PoolRecycle = "DATABASE_POOL_RECYCLE";
    public const string ConnectTimeout = "DATABASE_CONNECT_TIMEOUT";
    public const string CommandTimeout = "DATABASE_COMMAND_TIMEOUT";
    public const string PoolPrePing = "DATABASE_POOL_PRE_PING";
    public const string EchoPool = "DATABASE_ECHO_POOL";
    public const string MaintenanceMode = "MAINTENANCE_MODE";
    public const string LeakThreshold = "DATABASE_LEAK_THRESHOLD";
    public const string LeakStackTraces = "DATABASE_LEAK_STACK_TRACES";
}
