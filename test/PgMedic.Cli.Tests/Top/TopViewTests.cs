using PgMedic.Cli.Top;
using PgMedic.Core.Activity;
using PgMedic.Core.Snapshots;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Top;

/// <summary>The frame builder as text, from hand-made snapshots: what an on-call engineer reads on each refresh.</summary>
public sealed class TopViewTests
{
    private static readonly TopViewContext OneFrame = new("postgres://app:***@db:5432/shop", TimeSpan.FromSeconds(2), Live: false);

    private static readonly Snapshot Busy = FakeSnapshots.Of(
    [
        FakeSnapshots.Client(101, SessionStates.Active, TimeSpan.FromMinutes(3), application: "report-job", queryText: "SELECT * FROM orders\n  WHERE total > 100"),
        FakeSnapshots.Client(102, SessionStates.IdleInTransaction, TimeSpan.FromMinutes(1), application: "migration", transaction: TimeSpan.FromMinutes(4), queryText: "UPDATE orders SET total = 1"),
        FakeSnapshots.Client(103, SessionStates.Active, TimeSpan.FromSeconds(40), application: "checkout", blockedBy: [102], queryText: "UPDATE orders SET total = 2"),
        FakeSnapshots.Client(104, SessionStates.Active, TimeSpan.FromSeconds(20), application: "checkout", blockedBy: [102], queryText: "UPDATE orders SET total = 3"),
        FakeSnapshots.Client(105, SessionStates.Idle, TimeSpan.FromMinutes(9)),
        FakeSnapshots.Background(106),
    ]);

    [Fact]
    public void Text_BusyServer_HeaderShowsUsageOfUsableSlotsAndStates()
    {
        var text = TopView.Text(TopFrame.From(Busy), OneFrame);

        Assert.Contains("pgmedic top postgres://app:***@db:5432/shop · PostgreSQL 15.18 · 03:00:00 UTC · one frame (no terminal)", text, StringComparison.Ordinal);
        Assert.Contains("5/37 usable slots (13.5 %) · 32 left · max_connections 40", text, StringComparison.Ordinal);
        Assert.Contains("states active 3 · idle in transaction 1 · idle 1 · background 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_BusyServer_RunningPaneLongestFirstWithOneLineQuery()
    {
        var text = TopView.Text(TopFrame.From(Busy), OneFrame);

        Assert.Contains("running (3)", text, StringComparison.Ordinal);
        Assert.Contains("SELECT * FROM orders WHERE total > 100", text, StringComparison.Ordinal);
        Assert.True(text.IndexOf("report-job", StringComparison.Ordinal) < text.IndexOf("UPDATE orders SET total = 2", StringComparison.Ordinal));
        Assert.Contains("3m", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_OpenTransactionBlockingTwo_IdleInTransactionAndBlockingPanesNameTheHead()
    {
        var text = TopView.Text(TopFrame.From(Busy), OneFrame);
        var blocking = text[text.IndexOf("blocking (1 chain(s))", StringComparison.Ordinal)..];
        var idleInTransaction = text[text.IndexOf("idle in transaction (1)", StringComparison.Ordinal)..text.IndexOf("blocking (", StringComparison.Ordinal)];

        Assert.Contains("102", idleInTransaction, StringComparison.Ordinal);
        Assert.Contains("4m", idleInTransaction, StringComparison.Ordinal);
        Assert.Contains("102", blocking, StringComparison.Ordinal);
        Assert.Contains("103, 104", blocking, StringComparison.Ordinal);
        Assert.Contains("migration", blocking, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_QuietServer_EmptyPanesSaySo()
    {
        var text = TopView.Text(TopFrame.From(FakeSnapshots.Of([FakeSnapshots.Client(1, SessionStates.Idle, TimeSpan.FromSeconds(5))])), OneFrame with { Live = true });

        Assert.Contains("every 2s · q quits", text, StringComparison.Ordinal);
        Assert.Contains("nothing running", text, StringComparison.Ordinal);
        Assert.Contains("no transaction left open", text, StringComparison.Ordinal);
        Assert.Contains("no lock waits", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_RefreshFailedBeforeAnyFrame_HeaderAndErrorOnly()
    {
        var text = TopView.Text(null, OneFrame with { Error = "connection reset" });

        Assert.Contains("refresh failed: connection reset", text, StringComparison.Ordinal);
        Assert.DoesNotContain("running (", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_QueryWithMarkup_PrintedLiterally()
    {
        var snapshot = FakeSnapshots.Of([FakeSnapshots.Client(7, SessionStates.Active, TimeSpan.FromSeconds(1), queryText: "SELECT '[red]x[/]'")]);

        var text = TopView.Text(TopFrame.From(snapshot), OneFrame);

        Assert.Contains("SELECT '[red]x[/]'", text, StringComparison.Ordinal);
    }
}
