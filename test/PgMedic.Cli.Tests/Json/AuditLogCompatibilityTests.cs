using System.Globalization;
using System.Text.Json;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Json;

/// <summary>
/// The audit log keeps its own field names (docs/json.md): a file written before the JSON vocabulary — times with
/// <c>+00:00</c>, <c>\u0027</c>-style escapes, a planned action's <c>client</c> — still makes the same report.
/// </summary>
public sealed class AuditLogCompatibilityTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"pgmedic-old-audit-{Guid.NewGuid():N}.jsonl");

    [Fact]
    public async Task Report_AuditLogWrittenBeforeTheVocabulary_ReadsItsActionNumbersAndRecovery()
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-10);
        string Time(int second) => at.AddSeconds(second).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'+00:00'", CultureInfo.InvariantCulture);
        const string Head = "\"runId\":\"0ld0ld0ld0ld\",\"operator\":\"ops@box\",\"target\":\"postgres://app:***@db:5432/shop\",\"origin\":\"cli\"";
        const string Action = "{\"action\":\"terminate\",\"pid\":4711,\"backendStart\":null,\"stateChange\":null,\"user\":\"app\",\"application\":\"o\\u0027brien\",\"client\":\"10.0.0.7\",\"database\":\"shop\",\"state\":\"idle in transaction\",\"stateAgeSeconds\":74.2,\"transactionAgeSeconds\":74.3,\"queryAgeSeconds\":74.2,\"query\":\"SELECT 1\",\"reason\":\"idle in an open transaction for \\u2265 1m\"}";
        await File.WriteAllLinesAsync(_path,
        [
            $"{{\"time\":\"{Time(0)}\",{Head},\"event\":\"findings\",\"command\":\"heal\",\"findings\":[{{\"code\":\"idle-in-transaction\",\"severity\":\"warning\",\"summary\":\"1 session(s) idle in an open transaction for over 1m (oldest 1m14s, o\\u0027brien)\",\"evidence\":[],\"pids\":[4711],\"runbookStep\":\"Step 3: Identify Connection Leaks\",\"fix\":{{\"verb\":\"terminate\"}},\"subject\":\"o\\u0027brien\"}}]}}",
            $"{{\"time\":\"{Time(1)}\",{Head},\"event\":\"plan\",\"command\":\"heal\",\"step\":\"idle-in-transaction\",\"plan\":{{\"title\":\"idle-in-transaction: terminate sessions idle in an open transaction for \\u2265 1m\",\"actions\":[{Action}],\"spared\":[],\"isEmpty\":false}}}}",
            $"{{\"time\":\"{Time(2)}\",{Head},\"event\":\"action-finished\",\"command\":\"heal\",\"step\":\"idle-in-transaction\",\"action\":{Action},\"result\":\"terminated\",\"durationMilliseconds\":3.1}}",
            $"{{\"time\":\"{Time(3)}\",{Head},\"event\":\"verification\",\"command\":\"heal\",\"step\":\"idle-in-transaction\",\"result\":\"healthy\",\"durationMilliseconds\":41.5,\"clientBackendsBefore\":12,\"clientBackendsAfter\":11,\"percentBefore\":100,\"percentAfter\":91.7,\"healthy\":true}}",
        ]);

        var run = await CliRun.InvokeAsync("report", "--audit-log", _path, "--format", "json");

        Assert.True(run.ExitCode == 0, run.All);
        Assert.DoesNotContain("not audit records", run.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, await JsonSchemas.ProblemsAsync("report.schema.json", run.Out));
        var report = JsonDocument.Parse(run.Out).RootElement;
        Assert.Equal("o'brien", report.GetProperty("terminatedByApplication")[0].GetProperty("application").GetString());
        var numbers = report.GetProperty("numbers");
        Assert.Equal((12, 11, 100.0, 91.7), (numbers.GetProperty("clientBackendsBefore").GetInt32(), numbers.GetProperty("clientBackendsAfter").GetInt32(), numbers.GetProperty("percentOfUsableBefore").GetDouble(), numbers.GetProperty("percentOfUsableAfter").GetDouble()));
        Assert.True(report.GetProperty("recovery").GetProperty("verified").GetBoolean());
        Assert.Equal(at.AddSeconds(3).UtcDateTime, report.GetProperty("recovery").GetProperty("at").GetDateTimeOffset().UtcDateTime);
        Assert.Contains(report.GetProperty("timeline").EnumerateArray(), e => e.GetProperty("text").GetString()!.Contains("terminate pid 4711 (o'brien", StringComparison.Ordinal));
    }

    public void Dispose() => File.Delete(_path);
}
