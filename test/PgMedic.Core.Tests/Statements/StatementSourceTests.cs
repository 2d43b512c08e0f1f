using PgMedic.Core.Statements;

namespace PgMedic.Core.Tests.Statements;

public sealed class StatementSourceTests
{
    [Theory]
    [InlineData("/* pgmedic */ SELECT a.pid, coalesce(a.backend_type, $2) FROM pg_stat_activity a", StatementSource.PgMedic)]
    [InlineData("/* pgmedic */ SET statement_timeout = 10000", StatementSource.PgMedic)]
    [InlineData("SELECT version()", StatementSource.Driver)]
    [InlineData("SELECT ns.nspname, t.oid, t.typname, t.typtype, t.typnotnull, t.elemtypoid\nFROM (\n    -- Arrays have typtype=b", StatementSource.Driver)]
    [InlineData("-- Load field definitions for (free-standing) composite types\nSELECT typ.oid, att.attname, att.atttypid", StatementSource.Driver)]
    [InlineData("-- Load enum fields\nSELECT typ.oid, enumlabel FROM pg_enum", StatementSource.Driver)]
    [InlineData("DISCARD ALL", StatementSource.Driver)]
    [InlineData("select pg_catalog.version()", StatementSource.Driver)]
    [InlineData("select current_schema()", StatementSource.Driver)]
    [InlineData("show standard_conforming_strings", StatementSource.Driver)]
    [InlineData("show transaction isolation level", StatementSource.Driver)]
    [InlineData("SELECT t.oid, typarray\nFROM pg_type t JOIN pg_namespace ns\n    ON typnamespace = ns.oid\nWHERE typname = $1", StatementSource.Driver)]
    [InlineData("SET lock_timeout = 1000", StatementSource.Driver)]
    [InlineData("RESET ALL", StatementSource.Driver)]
    [InlineData("SELECT $1", StatementSource.Driver)]
    [InlineData("SELECT $1 AS called_often", StatementSource.Application)]
    [InlineData("SELECT pg_sleep($1)", StatementSource.Application)]
    [InlineData("UPDATE orders SET total = total + $1 WHERE id = $2", StatementSource.Application)]
    [InlineData("SELECT * FROM settings", StatementSource.Application)]
    [InlineData("", StatementSource.Application)]
    public void Of_PgStatStatementsText_WhoSentIt(string query, StatementSource expected)
    {
        Assert.Equal(expected, StatementSources.Of(query));
    }

    [Fact]
    public void Pick_InternalStatementsAmongTheTop_LeftOutCountedAndTheListStillFilled()
    {
        SlowQuery[] ranked =
        [
            Statement("/* pgmedic */ SELECT 1 FROM pg_stat_activity"),
            Statement("SELECT pg_sleep($1)"),
            Statement("SELECT version()"),
            Statement("SELECT * FROM orders"),
            Statement("SET application_name = $1"),
            Statement("SELECT * FROM customers"),
        ];

        var (shown, hidden) = StatementSources.Pick(ranked, 2, includeInternal: false);
        var (all, none) = StatementSources.Pick(ranked, 2, includeInternal: true);

        Assert.Equal(["SELECT pg_sleep($1)", "SELECT * FROM orders"], shown.Select(s => s.Query));
        Assert.Equal(2, hidden);
        Assert.Equal([ranked[0], ranked[1]], all);
        Assert.Equal(0, none);
    }

    private static SlowQuery Statement(string query) => new(query, 1, 1, 1, 1, 1, "shop", "app");
}
