using PgMedic.Core.Logs;

namespace PgMedic.Core.Tests.Logs;

/// <summary>Application and PgBouncer lines in each driver's real message format (texts from their sources).</summary>
public sealed class ApplicationLogTests
{
    private static readonly TimeProvider Time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 15, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData("npgsql-pool-exhausted", "2026-11-27T14:34:01.1234567Z fail: Microsoft.EntityFrameworkCore.Database.Connection[20004] Npgsql.NpgsqlException (0x80004005): The connection pool has been exhausted, either raise 'Max Pool Size' (currently 100) or 'Timeout' (currently 15 seconds) in your connection string.")]
    [InlineData("sqlalchemy-pool-timeout", "2026-11-27 14:34:01,123 ERROR app: sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30.00 (Background on this error at: https://sqlalche.me/e/14/3o7r)")]
    [InlineData("hikari-pool-timeout", "2026-11-27 14:34:01.123  WARN 1 --- [nio-8080-exec-3] o.h.engine.jdbc.spi.SqlExceptionHelper   : HikariPool-1 - Connection is not available, request timed out after 30000ms (total=10, active=10, idle=0, waiting=7)")]
    [InlineData("connection-refused", "2026-11-27 14:34:01 psycopg2.OperationalError: connection to server at \"10.0.0.5\", port 5432 failed: Connection refused")]
    [InlineData("connect-timeout", "2026-11-27 14:34:01 psycopg.OperationalError: connection failed: connection to server at \"10.0.0.5\", port 5432 failed: timeout expired")]
    [InlineData("pgbouncer-max-client-conn", "2026-11-27 14:34:01.123 UTC [812] WARNING C-0x55e1c2a0: (nodb)/(nouser)@10.0.0.9:51234 pooler error: no more connections allowed (max_client_conn)")]
    [InlineData("pgbouncer-query-wait-timeout", "2026-11-27 14:34:01.123 UTC [812] WARNING C-0x55e1c2a0: shop/app@10.0.0.9:51234 pooler error: query_wait_timeout")]
    public void Analyze_DriverLine_RecognisedWithItsMinute(string code, string line)
    {
        var report = Analyze(line);

        var kind = Assert.Single(report.Kinds);
        Assert.Equal(code, kind.Code);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 14, 34, 0, TimeSpan.Zero), Assert.Single(report.PerMinute).Minute);
    }

    [Fact]
    public void Analyze_PgBouncerClosingBecauseLineAndConfigDump_NotCountedTwice()
    {
        var report = Analyze(
            "2026-11-27 14:34:01.123 UTC [812] LOG C-0x55e1c2a0: shop/app@10.0.0.9:51234 closing because: query_wait_timeout (age=121s)",
            "2026-11-27 14:34:01.123 UTC [812] WARNING C-0x55e1c2a0: shop/app@10.0.0.9:51234 pooler error: query_wait_timeout",
            "query_wait_timeout = 120");

        Assert.Equal(1, Assert.Single(report.Kinds).Count);
    }

    [Fact]
    public void Analyze_LinesWithPasswords_SamplesMasked()
    {
        var report = Analyze(
            "2026-11-27 14:34:01 could not connect postgres://app:s3cr3t@db:5432/shop: Connection refused",
            "2026-11-27 14:34:02 Host=db;Username=app;Password=s3cr3t;Database=shop: Connection refused",
            "2026-11-27 14:34:03 {\"dsn\":\"host=db password=s3cr3t\",\"password\":\"s3cr3t\"} timeout expired");

        var samples = report.Kinds.SelectMany(k => k.Samples).ToList();
        Assert.Equal(3, samples.Count);
        Assert.All(samples, s => Assert.DoesNotContain("s3cr3t", s, StringComparison.Ordinal));
        Assert.Contains("postgres://app:***@db", samples[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_ContinuationLineWithoutTime_TakesTheTimeOfTheLineAbove()
    {
        var report = Analyze(
            "2026-11-27 14:34:59.900 ERROR request failed",
            "Traceback (most recent call last):",
            "sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30.00");

        Assert.Equal(0, report.Untimed);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 14, 34, 59, 900, TimeSpan.Zero), report.FirstSeen);
    }

    [Fact]
    public void Analyze_SyslogAndKubectlTimestamps_HistogramPerMinute()
    {
        var report = Analyze(
            "Nov 27 14:33:29 db1 postgres[4242]: [3-1] FATAL:  sorry, too many clients already",
            "2026-11-27T14:33:45.123456789Z FATAL:  sorry, too many clients already",
            "2026-11-27T15:33:50+01:00 FATAL:  remaining connection slots are reserved for roles with the SUPERUSER attribute");

        var minute = Assert.Single(report.PerMinute);
        Assert.Equal(3, minute.Total);
        Assert.Equal(2, minute.ByKind["too-many-clients"]);
    }

    [Fact]
    public void Analyze_QuietLog_OkAndNothingCounted()
    {
        var report = Analyze("2026-11-27 14:34:01 UTC [1] LOG:  checkpoint complete", "2026-11-27 14:34:02 UTC [1] LOG:  database system is ready");

        Assert.Equal(0, report.Hits);
        Assert.Equal(0, report.ExitCode);
    }

    private static LogReport Analyze(params string[] lines)
    {
        var analyzer = new LogAnalyzer(Time);
        foreach (var line in lines)
        {
            analyzer.AddLine(line);
        }

        return analyzer.Report();
    }
}
