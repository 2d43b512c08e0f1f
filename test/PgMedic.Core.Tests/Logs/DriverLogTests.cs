using Microsoft.Extensions.Time.Testing;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Logs;

namespace PgMedic.Core.Tests.Logs;

/// <summary>
/// What the runbook's own steps (terminating sessions, restarting the database) make drivers print, in
/// their real words: lines from the drivers' issue trackers and from Debian's psycopg2 2.9 and
/// SQLAlchemy 1.4 run against PostgreSQL 15.
/// </summary>
public sealed class DriverLogTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 15, 0, 0, TimeSpan.Zero));

    [Theory]
    // The server's own log (PostgreSQL 15, pg_terminate_backend and a fast shutdown).
    [InlineData("admin-shutdown", "", "2026-12-06 22:24:29.590 UTC [23542] FATAL:  terminating connection due to administrator command")]
    // psycopg 3 (dbfixtures/pytest-postgresql#1177), psycopg2 under SQLAlchemy (viperadnan-git/google-drive-telegram-bot#85), asyncpg.
    [InlineData("admin-shutdown", "psycopg 3", "psycopg.errors.AdminShutdown: terminating connection due to administrator command")]
    [InlineData("admin-shutdown", "psycopg2", "2021-08-04 12:27:23,315 - pyrogram.dispatcher - ERROR - (psycopg2.errors.AdminShutdown) terminating connection due to administrator command")]
    [InlineData("admin-shutdown", "asyncpg", "asyncpg.exceptions.AdminShutdownError: terminating connection due to administrator command")]
    // libpq through psycopg2 (psycopg2 2.9.5 after pg_terminate_backend), SQLAlchemy's wrapper (cockroachdb/movr#25), asyncpg (piccolo-orm/piccolo#807) and asyncpg under SQLAlchemy.
    [InlineData("connection-lost", "psycopg2", "psycopg2.OperationalError: server closed the connection unexpectedly")]
    [InlineData("connection-lost", "psycopg2, SQLAlchemy", "sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) server closed the connection unexpectedly")]
    [InlineData("connection-lost", "asyncpg", "asyncpg.exceptions.ConnectionDoesNotExistError: connection was closed in the middle of operation")]
    [InlineData("connection-lost", "asyncpg, SQLAlchemy", "sqlalchemy.exc.DBAPIError: (sqlalchemy.dialects.postgresql.asyncpg.Error) <class 'asyncpg.exceptions.ConnectionDoesNotExistError'>: connection was closed in the middle of operation")]
    // 57P03 at login: asyncpg (MagicStack/asyncpg#796), SQLAlchemy over psycopg2 (RunestoneInteractive/RunestoneServer#1191), Npgsql (Prowlarr/Prowlarr#2380), crash recovery.
    [InlineData("server-starting-up", "asyncpg", "asyncpg.exceptions.CannotConnectNowError: the database system is starting up")]
    [InlineData("server-starting-up", "psycopg2, SQLAlchemy", "sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) FATAL:  the database system is starting up")]
    [InlineData("server-starting-up", "Npgsql", "[v1.32.2.4987] Npgsql.PostgresException (0x80004005): 57P03: the database system is starting up")]
    // logger.error("connect: %s", e) names no driver: none is claimed.
    [InlineData("server-starting-up", "", "2026-12-06 22:24:56,211 ERROR app: connect: connection to server at \"127.0.0.1\", port 55439 failed: FATAL:  the database system is starting up")]
    [InlineData("server-starting-up", "asyncpg", "asyncpg.exceptions.CannotConnectNowError: the database system is in recovery mode")]
    // A login during a smart shutdown: psycopg2 (pretix/pretix#4227), ruby-pg (EBWiki/EBWiki#816), the server's own line.
    [InlineData("server-shutting-down", "psycopg2", "psycopg2.OperationalError: connection to server at \"database\" (172.29.0.2), port 5432 failed: FATAL:  the database system is shutting down")]
    [InlineData("server-shutting-down", "ruby-pg", "PG::ConnectionBad: FATAL:  the database system is shutting down")]
    [InlineData("server-shutting-down", "", "2026-12-06 22:24:47.233 UTC [24335] FATAL:  the database system is shutting down")]
    // SQLAlchemy wrapping a driver error without a kind of its own (psycopg2 2.9.5, an unknown host).
    [InlineData("sqlalchemy-error", "psycopg2, SQLAlchemy", "sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) could not translate host name \"db.nonexistent.invalid\" to address: Name or service not known")]
    // The QueuePool message is still the pool's own kind, not the wrapper's.
    [InlineData("sqlalchemy-pool-timeout", "SQLAlchemy", "sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30.00 (Background on this error at: https://sqlalche.me/e/14/3o7r)")]
    public void Analyze_DriverMessage_KindAndTheDriversTheLineNames(string code, string drivers, string line)
    {
        var report = Analyze(line);

        var kind = Assert.Single(report.Kinds);
        Assert.Equal(code, kind.Code);
        Assert.Equal(drivers, string.Join(", ", kind.Drivers));
    }

    [Fact]
    public void Analyze_KindsOfTheRunbooksOwnSteps_PointToTheirStepWithAdviceAndSeverity()
    {
        var kinds = LogKinds.All.ToDictionary(k => k.Code);

        Assert.Equal((RunbookStep.ResetConnectionPool, Severity.Warning), (kinds["admin-shutdown"].RunbookStep, kinds["admin-shutdown"].Severity));
        Assert.Equal((RunbookStep.EmergencyRestart, Severity.Critical), (kinds["server-starting-up"].RunbookStep, kinds["server-starting-up"].Severity));
        Assert.Equal((RunbookStep.EmergencyRestart, Severity.Critical), (kinds["server-shutting-down"].RunbookStep, kinds["server-shutting-down"].Severity));
        Assert.Equal((RunbookStep.Prevention, Severity.Warning), (kinds["connection-lost"].RunbookStep, kinds["connection-lost"].Severity));
        Assert.Contains("pg_terminate_backend", kinds["admin-shutdown"].Advice, StringComparison.Ordinal);
        Assert.Contains("pre-ping", kinds["connection-lost"].Advice, StringComparison.Ordinal);
        Assert.Contains("57P03", kinds["server-starting-up"].Advice, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_SqlAlchemyTracebackOfOneTerminatedSession_CountedOnceNamingBothLayers()
    {
        // psycopg2 2.9.5 and SQLAlchemy 1.4.46, logger.exception() after pg_terminate_backend (frames shortened).
        var report = Analyze(
            "2026-12-06 22:24:29,600 ERROR app: request failed",
            "Traceback (most recent call last):",
            "  File \"/usr/lib/python3/dist-packages/sqlalchemy/engine/default.py\", line 736, in do_execute",
            "    cursor.execute(statement, parameters)",
            "psycopg2.OperationalError: server closed the connection unexpectedly",
            "\tThis probably means the server terminated abnormally",
            "\tbefore or while processing the request.",
            string.Empty,
            string.Empty,
            "The above exception was the direct cause of the following exception:",
            string.Empty,
            "Traceback (most recent call last):",
            "  File \"/tmp/lf-scratch/t.py\", line 11, in <module>",
            "    c.execute(sa.text(\"select 1\"))",
            "  File \"/usr/lib/python3/dist-packages/sqlalchemy/engine/default.py\", line 736, in do_execute",
            "    cursor.execute(statement, parameters)",
            "sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) server closed the connection unexpectedly",
            "\tThis probably means the server terminated abnormally",
            "\tbefore or while processing the request.",
            string.Empty,
            "[SQL: select 1]",
            "(Background on this error at: https://sqlalche.me/e/14/e3q8)",
            "2026-12-06 22:24:29,637 ERROR app: raw failed",
            "Traceback (most recent call last):",
            "  File \"/tmp/lf-scratch/t.py\", line 19, in <module>",
            "    cur.execute(\"select 1\")",
            "psycopg2.OperationalError: server closed the connection unexpectedly");

        var kind = Assert.Single(report.Kinds);
        Assert.Equal(("connection-lost", 2L), (kind.Code, kind.Count));
        Assert.Equal(["psycopg2", "SQLAlchemy"], kind.Drivers);
        Assert.Equal(0, report.Untimed);
    }

    [Fact]
    public void Analyze_LoggedMessageThenItsTracebackWithLibpqContinuation_OneTerminatedSession()
    {
        // viperadnan-git/google-drive-telegram-bot#85: the message, libpq's appended line, SQLAlchemy's tail, then the traceback of the same error.
        var report = Analyze(
            "2021-08-04 12:27:23,315 - pyrogram.dispatcher - ERROR - (psycopg2.errors.AdminShutdown) terminating connection due to administrator command",
            "SSL connection has been closed unexpectedly",
            string.Empty,
            "[SQL: SELECT \"gDrive\".chat_id AS \"gDrive_chat_id\" FROM \"gDrive\" WHERE \"gDrive\".chat_id = %(param_1)s]",
            "[parameters: {'param_1': 1691938668}]",
            "(Background on this error at: http://sqlalche.me/e/13/e3q8)",
            "Traceback (most recent call last):",
            "  File \"/app/.heroku/python/lib/python3.9/site-packages/sqlalchemy/engine/default.py\", line 608, in do_execute",
            "    cursor.execute(statement, parameters)",
            "psycopg2.errors.AdminShutdown: terminating connection due to administrator command",
            "SSL connection has been closed unexpectedly",
            string.Empty,
            string.Empty,
            "The above exception was the direct cause of the following exception:",
            string.Empty,
            "Traceback (most recent call last):",
            "  File \"/app/.heroku/python/lib/python3.9/site-packages/pyrogram/dispatcher.py\", line 194, in handler_worker",
            "sqlalchemy.exc.OperationalError: (psycopg2.errors.AdminShutdown) terminating connection due to administrator command",
            "SSL connection has been closed unexpectedly");

        var kind = Assert.Single(report.Kinds);
        Assert.Equal(("admin-shutdown", 1L), (kind.Code, kind.Count));
        Assert.Equal(["psycopg2", "SQLAlchemy"], kind.Drivers);
    }

    [Fact]
    public void Analyze_ServerLogWithoutPrefixOfAFastShutdown_EverySessionCounted()
    {
        // anchore/anchore-engine#955: each terminated backend logs its own FATAL.
        var report = Analyze(
            "LOG:  received fast shutdown request",
            "LOG:  aborting any active transactions",
            "FATAL:  terminating connection due to administrator command",
            "FATAL:  terminating connection due to administrator command",
            "FATAL:  terminating connection due to administrator command");

        Assert.Equal(("admin-shutdown", 3L), (Assert.Single(report.Kinds).Code, report.Hits));
    }

    [Fact]
    public void Analyze_StrOfASqlAlchemyErrorWithoutAKind_CountedOnceByItsBackgroundLink()
    {
        // logger.error("checkout failed: %s", e) with Debian's SQLAlchemy 1.4.46 and an unknown host; then a one-line JSON record with the same.
        var report = Analyze(
            "2026-12-06 22:45:03,102 ERROR app: checkout failed: (psycopg2.OperationalError) could not translate host name \"db.nonexistent.invalid\" to address: Name or service not known",
            string.Empty,
            "(Background on this error at: https://sqlalche.me/e/14/e3q8)",
            "{\"time\":\"2026-12-06T22:45:04Z\",\"msg\":\"(psycopg2.OperationalError) could not translate host name \\\"db\\\" to address\\n\\n(Background on this error at: https://sqlalche.me/e/14/e3q8)\"}");

        var kind = Assert.Single(report.Kinds);
        Assert.Equal(("sqlalchemy-error", 2L), (kind.Code, kind.Count));
        Assert.Equal(["psycopg2", "SQLAlchemy"], kind.Drivers);
    }

    [Fact]
    public void Live_HitsOverTwoMinutes_RateCountsOnlyTheLastMinuteAndTheNewestLineIsMasked()
    {
        var analyzer = new LogAnalyzer(_time);
        analyzer.AddLine("2026-11-27 14:33:00 UTC FATAL:  the database system is starting up");
        _time.Advance(TimeSpan.FromSeconds(30));
        analyzer.AddLine("2026-11-27 14:33:30 UTC FATAL:  the database system is starting up");
        _time.Advance(TimeSpan.FromSeconds(45));
        analyzer.AddLine("2026-11-27 14:34:15 UTC psycopg2.OperationalError: connection to server at \"db\" failed (postgres://app:s3cr3t@db/shop): FATAL:  the database system is starting up");

        var live = analyzer.Live();

        var kind = Assert.Single(live.Kinds);
        Assert.Equal((3L, 2L), (kind.Count, kind.LastMinute));
        Assert.Equal((3L, 3L, DiagnosisStatus.Critical), (live.Lines, live.Hits, live.Status));
        Assert.Equal("server-starting-up", live.Newest!.Code);
        Assert.Contains("postgres://app:***@db/shop", live.Newest.Line, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", live.Newest.Line, StringComparison.Ordinal);
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(0, Assert.Single(analyzer.Live().Kinds).LastMinute);
    }

    private LogReport Analyze(params string[] lines)
    {
        var analyzer = new LogAnalyzer(_time);
        foreach (var line in lines)
        {
            analyzer.AddLine(line);
        }

        return analyzer.Report();
    }
}
