using System.Data.Common;
using System.Text.Json;
using PgMedic.Core.Alerts;
using PgMedic.Core.Capacity;
using PgMedic.Core.Snapshots;

namespace PgMedic.Monitor.History;

/// <summary>
/// A stored sample read back, the same from either store: both select the same columns in the same order
/// (times as each dialect keeps them, read by the caller) and keep states, applications and findings as JSON.
/// </summary>
internal static class SampleRows
{
    /// <summary>Columns 1–12 after the time: probe_ok, probe_reason, probe_ms, collected, clients, usable, max_connections, percent, by_state, by_application, findings, app_failure_ratio.</summary>
    public static MonitorSample Sample(DbDataReader r, DateTimeOffset at) =>
        new(
            at,
            r.GetBoolean(1),
            r.IsDBNull(2) ? null : r.GetString(2),
            r.IsDBNull(3) ? null : r.GetDouble(3),
            r.GetBoolean(4),
            r.GetInt32(5),
            r.GetInt32(6),
            r.GetInt32(7),
            r.GetDouble(8),
            JsonSerializer.Deserialize(r.GetString(9), MonitorJsonContext.Dialect.IReadOnlyDictionaryStringInt32) ?? new Dictionary<string, int>(),
            JsonSerializer.Deserialize(r.GetString(10), MonitorJsonContext.Dialect.IReadOnlyListAppConnections) ?? [],
            JsonSerializer.Deserialize(r.GetString(11), MonitorJsonContext.Dialect.IReadOnlyListSampleFinding) ?? [])
        {
            ApplicationFailureRatio = r.IsDBNull(12) ? null : r.GetDouble(12),
        };

    /// <summary>Columns 1–4 after the time: clients, usable, by_state, by_application.</summary>
    public static UsagePoint Usage(DbDataReader r, DateTimeOffset at)
    {
        var byState = JsonSerializer.Deserialize(r.GetString(3), MonitorJsonContext.Dialect.IReadOnlyDictionaryStringInt32) ?? new Dictionary<string, int>();
        return new UsagePoint(
            at,
            r.GetInt32(1),
            r.GetInt32(2),
            byState.GetValueOrDefault(SessionStates.Active),
            byState.GetValueOrDefault(SessionStates.Idle),
            byState.GetValueOrDefault(SessionStates.IdleInTransaction) + byState.GetValueOrDefault(SessionStates.IdleInTransactionAborted),
            JsonSerializer.Deserialize(r.GetString(4), MonitorJsonContext.Dialect.IReadOnlyListAppConnections) ?? []);
    }
}
