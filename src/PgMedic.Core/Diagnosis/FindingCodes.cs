namespace PgMedic.Core.Diagnosis;

/// <summary>Stable finding codes (JSON contract, alert names, docs/diagnose.md).</summary>
public static class FindingCodes
{
    public const string ConnectionSaturation = "connection-saturation";
    public const string DatabaseLimit = "database-limit";
    public const string RoleLimit = "role-limit";
    public const string IdleInTransaction = "idle-in-transaction";
    public const string IdleConnectionHoarding = "idle-connection-hoarding";
    public const string ApplicationLeak = "application-leak";
    public const string LongRunningQuery = "long-running-query";
    public const string BlockingChain = "blocking-chain";
    public const string MissingTimeouts = "missing-timeouts";
    public const string ConnectionRejected = "connection-rejected";
    public const string ServerUnreachable = "server-unreachable";
    public const string LimitedVisibility = "limited-visibility";
}
