namespace PgMedic.Core.Probing;

/// <summary>Why a probe was rejected or got no response. The strings are part of the JSON contract.</summary>
public static class ProbeReason
{
    public const string TooManyClients = "too-many-clients";
    public const string ReservedSlotsOnly = "reserved-slots-only";
    public const string AuthFailed = "auth-failed";
    public const string DatabaseMissing = "database-missing";
    public const string StartingUp = "starting-up";
    public const string ShuttingDown = "shutting-down";
    public const string Recovery = "recovery";
    public const string RoleLimit = "role-connection-limit";
    public const string DatabaseLimit = "database-connection-limit";
    public const string OtherRejection = "rejected";
    public const string Refused = "refused";
    public const string Timeout = "timeout";
    public const string Dns = "dns";
    public const string Tls = "tls";
    public const string Reset = "reset";
    public const string Unreachable = "unreachable";
    public const string InvalidInput = "invalid-input";
}
