using PgMedic.Cli.Output;

namespace PgMedic.Cli.Tests.Output;

public sealed class FittedTableTests
{
    private const string Query = "SELECT o.id, o.total, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.state = $1";

    [Fact]
    public void Write_Width60_NamesCutWithEllipsisNumbersWholeQueryClippedLast()
    {
        var lines = Render(60, SessionTable());

        Assert.All(lines, l => Assert.True(l.Length <= 60, l));
        var row = Assert.Single(lines, l => l.Contains("4711", StringComparison.Ordinal));
        Assert.Matches(@"checkout\S*…", row);
        Assert.Contains("12m30s", row, StringComparison.Ordinal);
        Assert.EndsWith("…", row.TrimEnd(), StringComparison.Ordinal);
        Assert.Contains("SELECT o.id", row, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_TooNarrowForTheColumns_EachRowStackedAsPairsQueryOnItsOwnLine()
    {
        var lines = Render(40, SessionTable());

        Assert.All(lines, l => Assert.True(l.Length <= 40, l));
        Assert.Contains("pid 4711 · age 12m30s", lines);
        Assert.Contains(lines, l => l.StartsWith("  application checkout-api-eu-west-1", StringComparison.Ordinal));
        var query = Assert.Single(lines, l => l.StartsWith("  query SELECT", StringComparison.Ordinal));
        Assert.EndsWith("…", query, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Piped_EveryValueWhole()
    {
        var lines = Render(null, SessionTable());

        var row = Assert.Single(lines, l => l.Contains("4711", StringComparison.Ordinal));
        Assert.Contains("checkout-api-eu-west-1-blue-deployment", row, StringComparison.Ordinal);
        Assert.Contains(Query, row, StringComparison.Ordinal);
        Assert.DoesNotContain("…", string.Concat(lines), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_WrappedLastColumn_GoesOnOverLinesNothingCut()
    {
        var table = new FittedTable(new FittedColumn("setting", ColumnFit.Keep), new FittedColumn("why", ColumnFit.Wrap));
        table.AddRow("idle_in_transaction_session_timeout", "off: a transaction left open (a leak, a crashed request) would hold its slot and locks forever");

        var lines = Render(60, table);

        Assert.All(lines, l => Assert.True(l.Length <= 60, l));
        Assert.DoesNotContain("…", string.Concat(lines), StringComparison.Ordinal);
        Assert.Contains("forever", string.Concat(lines), StringComparison.Ordinal);
    }

    private static FittedTable SessionTable()
    {
        var table = new FittedTable(
            new FittedColumn("pid", ColumnFit.Keep, RightAligned: true),
            new FittedColumn("age", ColumnFit.Keep),
            new FittedColumn("application"),
            new FittedColumn("client"),
            new FittedColumn("query", ColumnFit.Clip));
        table.AddRow("4711", "12m30s", "checkout-api-eu-west-1-blue-deployment", "10.20.30.40:51234", Query);
        table.AddRow("4712", "3s", new FittedCell("billing", "yellow"), "local", "-");
        return table;
    }

    private static List<string> Render(int? width, FittedTable table)
    {
        var output = new StringWriter();
        var context = new CliContext(output, TextWriter.Null, _ => null, null, IsTerminal: false, TimeProvider.System) { Width = width };
        table.Write(Terminal.For(context));
        return output.ToString().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
    }
}
