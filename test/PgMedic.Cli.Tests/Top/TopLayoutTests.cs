using PgMedic.Cli.Top;
using PgMedic.Core.Activity;
using PgMedic.Core.Snapshots;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Top;

/// <summary>The screen top draws, from hand-made snapshots, at the sizes people run it at.</summary>
public sealed class TopLayoutTests
{
    private static readonly TopViewContext Live = new("postgres://app:***@db:5432/shop", Live: true);

    private static readonly Snapshot Busy = FakeSnapshots.Of(
    [
        FakeSnapshots.Client(101, SessionStates.Active, TimeSpan.FromMinutes(3), application: "report-job", queryText: "SELECT * FROM orders\n  WHERE total > 100"),
        FakeSnapshots.Client(102, SessionStates.IdleInTransaction, TimeSpan.FromMinutes(1), application: "migration", transaction: TimeSpan.FromMinutes(4), queryText: "UPDATE orders SET total = 1"),
        FakeSnapshots.Client(103, SessionStates.Active, TimeSpan.FromSeconds(40), application: "checkout", blockedBy: [102], queryText: "UPDATE orders SET total = 2"),
        FakeSnapshots.Client(104, SessionStates.Active, TimeSpan.FromSeconds(20), application: "checkout", blockedBy: [102], queryText: "UPDATE orders SET total = 3"),
        FakeSnapshots.Client(105, SessionStates.Idle, TimeSpan.FromMinutes(9)),
        FakeSnapshots.Background(106),
    ]);

    // A pile-up: 30 long-named sessions waiting on a relation lock behind one, and 12 idle transactions.
    private static readonly Snapshot PileUp = FakeSnapshots.Of(
    [
        FakeSnapshots.Client(200, SessionStates.IdleInTransaction, TimeSpan.FromMinutes(2), application: "nightly-migration-runner", transaction: TimeSpan.FromMinutes(3), queryText: "LOCK TABLE orders IN ACCESS EXCLUSIVE MODE"),
        .. Enumerable.Range(201, 30).Select(pid => FakeSnapshots.Client(pid, SessionStates.Active, TimeSpan.FromSeconds(pid - 200), application: "checkout-service-eu-west-1", user: "checkout_service_role", database: "shop_production", blockedBy: [200], queryText: "SELECT o.id, o.total, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = $1") with { WaitEvent = "relation" }),
        .. Enumerable.Range(300, 12).Select(pid => FakeSnapshots.Client(pid, SessionStates.IdleInTransaction, TimeSpan.FromSeconds(pid - 290), application: "reporting-dashboard", transaction: TimeSpan.FromMinutes(1), queryText: "SELECT count(*) FROM orders")),
    ], maxConnections: 100);

    [Fact]
    public void Build_OneFrame_HeaderUsageStatesAndPanes()
    {
        var text = OneFrame(Busy, TopViewKind.Overview);

        Assert.Contains("pgmedic top · 03:00:00 UTC · PostgreSQL 15.18 · one frame (no terminal) · postgres://app:***@db:5432/shop", text, StringComparison.Ordinal);
        Assert.Contains("5/37 usable slots (13.5 %) · 32 left · max_connections 40", text, StringComparison.Ordinal);
        Assert.Contains("states active 3 · idle in transaction 1 · idle 1 · background 1", text, StringComparison.Ordinal);
        Assert.Contains("running (3) — active, longest query first", text, StringComparison.Ordinal);
        Assert.Contains("SELECT * FROM orders WHERE total > 100", text, StringComparison.Ordinal);
        Assert.Contains("idle in transaction (1)", text, StringComparison.Ordinal);
        Assert.Contains("lock tree (1 chain, 2 waiting)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_LockTreeView_HeadAtRootWithBehindCountAndChildrenWithWaitAges()
    {
        var lines = OneFrame(Busy, TopViewKind.LockTree).Split('\n');

        var root = Assert.Single(lines, l => l.Contains("  102 ", StringComparison.Ordinal));
        Assert.Contains("migration", root, StringComparison.Ordinal);
        Assert.Contains("idle tx", root, StringComparison.Ordinal);
        Assert.Contains("2 behind", root, StringComparison.Ordinal);
        Assert.Contains("UPDATE orders SET total = 1", root, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("├─ 103", StringComparison.Ordinal) && l.Contains("waited 40s", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("└─ 104", StringComparison.Ordinal) && l.Contains("waited 20s", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_At80x24_EveryPaneHeaderOnScreenAndNoLineWiderThanTheScreen()
    {
        var screen = TopLayout.Build(TopFrame.From(PileUp), State(TopViewKind.Overview), Live, 80, 24);

        File.WriteAllLines(Path.Combine(Path.GetTempPath(), "top-80x24.txt"), screen.Lines.Select(l => l.Text));
        Assert.Equal(24, screen.Lines.Count);
        Assert.All(screen.Lines, l => Assert.True(CellText.Width(l.Text) <= 80, $"{CellText.Width(l.Text)} cells: {l.Text}"));
        Assert.Contains(screen.Lines, l => l.Text.StartsWith("running (30, ", StringComparison.Ordinal));
        Assert.Contains(screen.Lines, l => l.Text.StartsWith("idle in transaction (13, ", StringComparison.Ordinal));
        Assert.Contains(screen.Lines, l => l.Text.StartsWith("lock tree (1 chain, 30 waiting", StringComparison.Ordinal));
        Assert.StartsWith("q quit", screen.Lines[^1].Text, StringComparison.Ordinal);
        Assert.All(screen.RowsPerPane, rows => Assert.True(rows >= 3, string.Join(",", screen.RowsPerPane)));
    }

    [Fact]
    public void Build_Resized80x24To200x50_PanesGrowAndColumnsComeBack()
    {
        var small = TopLayout.Build(TopFrame.From(PileUp), State(TopViewKind.Overview), Live, 80, 24);
        var large = TopLayout.Build(TopFrame.From(PileUp), State(TopViewKind.Overview), Live, 200, 50);

        Assert.Equal(50, large.Lines.Count);
        Assert.All(large.RowsPerPane.Zip(small.RowsPerPane), p => Assert.True(p.First > p.Second, $"{p.First} vs {p.Second}"));
        Assert.Contains(large.Lines, l => l.Text.Contains("checkout-service-eu-west-1", StringComparison.Ordinal));
        Assert.DoesNotContain(small.Lines, l => l.Text.Contains("checkout-service-eu-west-1", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_ScreenTooShortForThePanes_HeaderAndKeyLineStayAndNothingRunsOver()
    {
        var screen = TopLayout.Build(TopFrame.From(PileUp), State(TopViewKind.Overview), Live, 40, 7);

        Assert.Equal(7, screen.Lines.Count);
        Assert.StartsWith("pgmedic top", screen.Lines[0].Text, StringComparison.Ordinal);
        Assert.StartsWith("q quit", screen.Lines[^1].Text, StringComparison.Ordinal);
        Assert.All(screen.Lines, l => Assert.True(CellText.Width(l.Text) <= 40, l.Text));
    }

    [Fact]
    public void Build_Cursor_MarkedLineAndTaggedSessionsStarred()
    {
        var state = State(TopViewKind.Running);
        state.CursorPid = 103;
        state.Tagged.Add(104);

        var screen = TopLayout.Build(TopFrame.From(Busy), state, Live, 80, 24);

        Assert.Single(screen.Lines, l => l.Text.StartsWith(">", StringComparison.Ordinal) && l.Text.Contains("103", StringComparison.Ordinal));
        Assert.Single(screen.Lines, l => l.Text.StartsWith(" *", StringComparison.Ordinal) && l.Text.Contains("104", StringComparison.Ordinal));
        Assert.Equal([101, 103, 104], screen.Pids);
    }

    [Fact]
    public void Build_Dialog_ReplacesThePanesWithThePlan()
    {
        var state = State(TopViewKind.Overview);
        state.Dialog = new TopDialog("Terminate 1 session(s) in shop?", ["terminate pid 102 migration (app@shop) idle in transaction for 1m", "spared pid 7 (postgres, psql): superuser postgres"], CanRun: true);

        var screen = TopLayout.Build(TopFrame.From(Busy), state, Live, 80, 24);

        Assert.Contains(screen.Lines, l => l.Text == "Terminate 1 session(s) in shop?");
        Assert.Contains(screen.Lines, l => l.Text.StartsWith("Enter: run this plan", StringComparison.Ordinal));
        Assert.DoesNotContain(screen.Lines, l => l.Text.StartsWith("running (", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("app:checkout db:shop", null, "shop", "checkout", null)]
    [InlineData("user:api state:idle-in-transaction", "idle in transaction", null, null, "api")]
    [InlineData("", null, null, null, null)]
    public void FilterText_Typed_ParsedToTheFilter(string typed, string? state, string? database, string? application, string? user)
    {
        Assert.True(TopFilterText.TryParse(typed, ActivityFilter.Everything, out var filter, out _));

        Assert.Equal(state, filter.States.SingleOrDefault());
        Assert.Equal((database, application, user), (filter.Database, filter.Application, filter.User));
        Assert.True(TopFilterText.TryParse(TopFilterText.Format(filter), ActivityFilter.Everything, out var again, out _));
        Assert.Equal(TopFilterText.Format(filter), TopFilterText.Format(again));
    }

    [Fact]
    public void FilterText_UnknownTerm_OneLineSayingWhatToType()
    {
        Assert.False(TopFilterText.TryParse("colour:red", ActivityFilter.Everything, out _, out var error));
        Assert.Equal("filter 'colour:red': use db:NAME app:NAME user:NAME state:STATE (exact names), or nothing to clear", error);
    }

    [Fact]
    public void CellText_WideAndControlCharacters_FitExactlyTheWidth()
    {
        var builder = new System.Text.StringBuilder();
        CellText.Fit(builder, "注文テーブル\tSELECT", 8);

        Assert.Equal(8, CellText.Width(builder.ToString()));
        Assert.EndsWith("…", builder.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain('\t', builder.ToString());
    }

    private static TopState State(TopViewKind view) => new(TopQuery.Default, view, TimeSpan.FromSeconds(2), readOnly: false);

    private static string OneFrame(Snapshot snapshot, TopViewKind view)
    {
        var frame = TopFrame.From(snapshot);
        var state = State(view);
        var screen = TopLayout.Build(frame, state, Live with { Live = false }, 200, TopLayout.OneFrameHeight(frame, state));
        return string.Join('\n', screen.Lines.Select(l => l.Text));
    }
}
