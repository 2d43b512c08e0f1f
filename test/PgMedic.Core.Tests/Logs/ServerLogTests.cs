using PgMedic.Core.Diagnosis;
using PgMedic.Core.Logs;

namespace PgMedic.Core.Tests.Logs;

/// <summary><c>pgmedic logs</c>' analyzer on the real stderr, csvlog and jsonlog a sandbox wrote while each message was triggered.</summary>
public sealed class ServerLogTests(LoggingSandboxFixture fixture) : IClassFixture<LoggingSandboxFixture>
{
    [Theory]
    [InlineData(".log")]
    [InlineData(".csv")]
    [InlineData(".json")]
    public async Task Analyze_RealServerLog_EveryTriggeredKindCountedWithItsTime(string extension)
    {
        var report = await AnalyzeAsync(fixture.LogFile(extension));

        foreach (var code in new[] { "too-many-clients", "reserved-slots", "idle-in-transaction-timeout", "auth-failed", "client-disconnected", "statement-timeout", "admin-shutdown" })
        {
            var kind = Assert.Single(report.Kinds, k => k.Code == code);
            // Npgsql may try a refused login twice; each attempt is a line of its own.
            Assert.InRange(kind.Count, 1, 2);
            Assert.InRange(kind.FirstSeen!.Value, fixture.TriggeredFrom, DateTimeOffset.UtcNow);
        }

        Assert.Equal(0, report.Untimed);
        Assert.Equal(DiagnosisStatus.Critical, report.Status);
        Assert.Equal(report.Hits, report.PerMinute.Sum(m => m.Total));
    }

    [Fact]
    public async Task Analyze_RealServerLog_KindsPointToTheirRunbookSteps()
    {
        var report = await AnalyzeAsync(fixture.LogFile(".log"));

        Assert.Equal(RunbookStep.ResetConnectionPool, report.Kinds.Single(k => k.Code == "too-many-clients").RunbookStep);
        Assert.Equal(RunbookStep.IdentifyConnectionLeaks, report.Kinds.Single(k => k.Code == "idle-in-transaction-timeout").RunbookStep);
        Assert.Contains("logs_app", report.Kinds.Single(k => k.Code == "auth-failed").Samples[0], StringComparison.Ordinal);
        Assert.DoesNotContain(report.Kinds.SelectMany(k => k.Samples), s => s.Contains("wrong-password", StringComparison.Ordinal));
    }

    private static async Task<LogReport> AnalyzeAsync(string path)
    {
        var analyzer = new LogAnalyzer(TimeProvider.System);
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        await analyzer.AddAsync(reader, path, CancellationToken.None);
        return analyzer.Report();
    }
}
