using System.Text.Json.Serialization;

namespace PgMedic.Core.Remediation;

/// <summary>Why a guardrail protected a session: a code each door renders in its own words.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SpareReason>))]
public enum SpareReason
{
    [JsonStringEnumMemberName("not-client-backend")]
    NotClientBackend,

    [JsonStringEnumMemberName("own-backend")]
    OwnBackend,

    [JsonStringEnumMemberName("other-database")]
    OtherDatabase,

    /// <summary>A managed service's own administration role (rdsadmin, cloudsqladmin, azuresu, supabase_admin…).</summary>
    [JsonStringEnumMemberName("platform-role")]
    PlatformRole,

    /// <summary>A superuser that is not one of the application's roles.</summary>
    [JsonStringEnumMemberName("superuser")]
    Superuser,

    [JsonStringEnumMemberName("protected-role")]
    ProtectedRole,

    [JsonStringEnumMemberName("protected-application")]
    ProtectedApplication,

    [JsonStringEnumMemberName("over-max")]
    OverMax,
}

/// <summary>A guardrail's verdict: the reason and its detail (the backend type, the database, the role, the limit).</summary>
public sealed record SpareVerdict(SpareReason Reason, string? Detail);
