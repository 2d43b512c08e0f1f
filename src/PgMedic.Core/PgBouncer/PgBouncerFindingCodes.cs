namespace PgMedic.Core.PgBouncer;

/// <summary>Stable codes of the PgBouncer findings (JSON contract, docs/pgbouncer.md).</summary>
public static class PgBouncerFindingCodes
{
    public const string ClientsWaiting = "pgbouncer-clients-waiting";
    public const string PoolSaturated = "pgbouncer-pool-saturated";
    public const string PoolsExceedServer = "pgbouncer-pools-exceed-server";
    public const string MaxClientConn = "pgbouncer-max-client-conn";
    public const string IdleInTransaction = "pgbouncer-idle-in-transaction";
    public const string Unreachable = "pgbouncer-unreachable";
}
