using Microsoft.Data.Sqlite;
using PgMedic.Core.Alerts;
using PgMedic.Core.Diagnosis;
using PgMedic.Monitor.History;

namespace PgMedic.Monitor.Tests.History;

/// <summary>A history file written before the failure rule had two signals keeps working, and its firing alert survives.</summary>
public sealed class HistoryUpgradeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pgmedic-history-upgrade-").FullName;

    [Fact]
    public async Task HistoryStore_FileWithoutTheSignalColumns_GainsThemKeepsItsFiringAlertAndRecordsSignals()
    {
        var path = Path.Combine(_directory, "history.db");
        var since = new DateTimeOffset(2025, 7, 31, 3, 0, 0, TimeSpan.Zero);
        SqliteLibrary.Register();
        using (var old = new SqliteConnection($"Data Source={path}"))
        {
            old.Open();
            using var create = old.CreateCommand();
            create.CommandText = $"""
                CREATE TABLE samples (
                    target TEXT NOT NULL, at INTEGER NOT NULL, probe_ok INTEGER NOT NULL, probe_reason TEXT, probe_ms REAL,
                    collected INTEGER NOT NULL, clients INTEGER NOT NULL, usable INTEGER NOT NULL, max_connections INTEGER NOT NULL,
                    percent REAL NOT NULL, by_state TEXT NOT NULL, by_application TEXT NOT NULL, findings TEXT NOT NULL);
                CREATE TABLE alert_events (
                    event_id TEXT PRIMARY KEY, target TEXT NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL, subject TEXT NOT NULL,
                    state TEXT NOT NULL, at INTEGER NOT NULL, starts_at INTEGER NOT NULL, value REAL NOT NULL, summary TEXT NOT NULL, incident_id INTEGER);
                CREATE TABLE active_alerts (
                    target TEXT NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL, subject TEXT NOT NULL, state TEXT NOT NULL,
                    since INTEGER NOT NULL, fired_at INTEGER, value REAL NOT NULL, summary TEXT NOT NULL,
                    PRIMARY KEY (target, rule, severity, subject));
                INSERT INTO active_alerts VALUES ('shop', 'database-connection-failure', 'critical', '', 'firing', {since.ToUnixTimeMilliseconds()}, {since.ToUnixTimeMilliseconds()}, 0.5, 'old summary');
                """;
            create.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        using var store = new SqliteHistoryStore(path);
        var restored = Assert.Single(await store.ActiveAlertsAsync("shop", CancellationToken.None));
        Assert.Equal((AlertState.Firing, "old summary", (FailureSignal?)null), (restored.State, restored.Summary, restored.Signal));

        var key = new AlertKey("shop", AlertNames.DatabaseConnectionFailure, Severity.Critical, string.Empty);
        var resolved = new AlertTransition("event-1", key, AlertState.Resolved, since.AddMinutes(1), since, 0, "recovered") { Signal = FailureSignal.Application };
        var sample = MonitorSample.Unreadable(since.AddMinutes(1), true, null, 2, []) with { ApplicationFailureRatio = 0.05 };
        await store.RecordPollAsync("shop", sample, default, [resolved], [], _ => null, [], CancellationToken.None);

        Assert.Empty(await store.ActiveAlertsAsync("shop", CancellationToken.None));
        Assert.Equal(FailureSignal.Application, Assert.Single(await store.AlertEventsAsync("shop", since, 10, CancellationToken.None)).Signal);
        Assert.Equal(0.05, Assert.Single(await store.SamplesAsync("shop", since, since.AddHours(1), 10, CancellationToken.None)).ApplicationFailureRatio);
    }

    [Fact]
    public async Task Incident_SnapshotSavedBeforeTheVocabulary_ReadsTheClientAddress()
    {
        var path = Path.Combine(_directory, "incidents.db");
        using var store = new SqliteHistoryStore(path);
        const string Session = "{\"pid\":4711,\"user\":\"app\",\"application\":\"o\\u0027brien\",\"client\":\"10.0.0.7\",\"database\":\"shop\",\"state\":\"idle in transaction\",\"stateAgeSeconds\":74.2,\"transactionAgeSeconds\":74.3,\"queryAgeSeconds\":74.2,\"waitEvent\":\"Client:ClientRead\",\"blockedBy\":[],\"query\":\"SELECT '\\\"client\\\": 1'\"}";
        using (var old = new SqliteConnection($"Data Source={path}"))
        {
            old.Open();
            using var insert = old.CreateCommand();
            insert.CommandText = "INSERT INTO incidents (target, event_id, rule, severity, at, summary, body) VALUES ('shop', 'e-1', 'idle-in-transaction', 'warning', 0, 'old', $body)";
            insert.Parameters.AddWithValue("$body", $"{{\"takenAt\":\"2025-07-31T03:12:05.1+00:00\",\"sessions\":[{Session}],\"blockingChains\":[],\"blockingEdges\":[],\"error\":null}}");
            insert.ExecuteNonQuery();
        }

        var listed = Assert.Single(await store.IncidentsAsync("shop", 1, CancellationToken.None));
        var session = Assert.Single((await store.IncidentAsync(listed.Id, CancellationToken.None))!.Body!.Sessions);

        Assert.Equal(("10.0.0.7", "o'brien"), (session.ClientAddress, session.Application));
        Assert.Equal("SELECT '\"client\": 1'", session.Query);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
