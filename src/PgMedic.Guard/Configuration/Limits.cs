namespace PgMedic.Guard.Configuration;

internal static class Limits
{
    // A pool larger than PostgreSQL's own practical max_connections is a typo, not a plan.
    public const int MaxPoolSize = 10_000;

    // Npgsql rejects a connect timeout above 1024 seconds.
    public static readonly TimeSpan LongestConnectTimeout = TimeSpan.FromSeconds(1024);

    public static readonly TimeSpan LongestWait = TimeSpan.FromDays(1);
}
