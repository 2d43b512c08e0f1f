using System.Text.Json;
using System.Text.Json.Serialization;

namespace PgMedic.Guard.AspNetCore.Endpoints;

/// <summary><c>GET /health</c>: <c>{"status":"healthy","database":"connected"}</c>, the runbook's exact answer.</summary>
internal sealed record HealthBody(string Status, string Database, string? Error);

/// <summary><c>GET /health/pool</c>.</summary>
internal sealed record PoolBody(PoolStatisticsBody Pool, double LeakThresholdSeconds, IReadOnlyList<HolderBody> Holders, ProcessBody Process);

/// <summary>The service process whose pool this is (several instances or workers each answer for their own).</summary>
internal sealed record ProcessBody(int Pid, string Hostname, string Library);

internal sealed record PoolStatisticsBody(
    string Name,
    int PoolSize,
    int MaxOverflow,
    int MaxConnections,
    int CheckedOut,
    int Overflow,
    int Idle,
    int Waiting,
    long Timeouts,
    long Leaks,
    long Checkouts,
    long PrePingReplacements,
    long ConnectFailures,
    bool Maintenance);

internal sealed record HolderBody(long Id, int BackendPid, CallSiteBody CallSite, DateTimeOffset CheckedOutAt, double AgeSeconds, bool Leaked, string? StackTrace);

internal sealed record CallSiteBody(string File, int Line, string Member);

internal sealed record ErrorBody(string Error);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HealthBody))]
[JsonSerializable(typeof(PoolBody))]
[JsonSerializable(typeof(ErrorBody))]
internal sealed partial class GuardJsonContext : JsonSerializerContext;
