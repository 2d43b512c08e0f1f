using PgMedic.Core.SessionHistory;

namespace PgMedic.Core.Tests.SessionHistory;

/// <summary>Fingerprints: one statement whatever its values, another for another statement.</summary>
public sealed class QueryFingerprintTests
{
    [Theory]
    [InlineData("SELECT * FROM invoices WHERE id = 42", "SELECT * FROM invoices WHERE id = ?")]
    [InlineData("select  *\n from invoices   where id=$1 -- export\n", "select * from invoices where id=?")]
    [InlineData("SELECT * FROM t WHERE name = 'O''Brien' AND x IN (1, 2, 3.5e3)", "SELECT * FROM t WHERE name = ? AND x IN (?)")]
    [InlineData("INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'), (3, 'z')", "INSERT INTO t (a, b) VALUES (?)")]
    [InlineData("SELECT E'a\\'b', $$body$$, $fn$ x $fn$, /* note */ col1, t2.c3 FROM t2", "SELECT ?, col1, t2.c3 FROM t2")]
    [InlineData("SELECT \"Weird 42\" FROM t WHERE v > -0.5", "SELECT \"Weird 42\" FROM t WHERE v > -?")]
    public void Normalize_Constants_BecomePlaceholders(string query, string expected) =>
        Assert.Equal(expected, QueryFingerprint.Normalize(query));

    [Fact]
    public void Of_SameStatementOtherValues_SameFingerprintAndAnotherStatementAnother()
    {
        var a = QueryFingerprint.Of("UPDATE orders SET state = 'paid' WHERE id = 17");
        var b = QueryFingerprint.Of("UPDATE orders SET state = 'shipped' WHERE id = 9001");
        var c = QueryFingerprint.Of("UPDATE orders SET state = 'paid' WHERE customer = 17");

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Matches("^[0-9a-f]{16}$", QueryFingerprint.Format(a));
        Assert.True(QueryFingerprint.TryParse(QueryFingerprint.Format(a), out var parsed) && parsed == a);
    }
}
