using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Top;

/// <summary>
/// <c>pgmedic top</c> in a real terminal (tmux: send-keys to type, capture-pane to read the screen) against
/// the sandbox: the lock tree, K and C through the remediation engine, the layout at 80×24 and after a
/// resize, filter and sort keys, and --read-only. Each test waits on the screen, never on a fixed sleep.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed partial class TopTerminalTests(SandboxFixture fixture) : IDisposable
{
    private readonly string _audit = Path.Combine(Path.GetTempPath(), $"pgmedic-top-audit-{Guid.NewGuid():N}.jsonl");

    private PostgresSandbox Sandbox => fixture.Sandbox;

    [Fact]
    public async Task Top_LockChainOfHeadAndThreeWaiters_TreeThenKOnTheHeadEndsItAndTheWaitersGoOn()
    {
        var (head, waiters, selects) = await LockChainAsync("top_tree_k", Sandbox.SuperuserTarget, "top-head");
        await using var _ = head;
        await using var __ = waiters;
        var headPid = head.ProcessID.ToString(CultureInfo.InvariantCulture);
        using var top = StartTop(100, 30, "--view", "lock-tree", "--application", "top-head", "--interval", "500ms");

        // Filtered to the head's application, the tree still shows every session queued behind it.
        var screen = await top.WaitForAsync(lines => lines.Any(l => Root(l, headPid) && l.Contains("3 behind", StringComparison.Ordinal)) && lines.Count(l => Child().IsMatch(l)) == 3, "the head with three waiters");
        Assert.Contains(screen, l => l.Contains("lock tree (1 chain, 3 waiting)", StringComparison.Ordinal));
        var children = screen.Where(l => Child().IsMatch(l)).ToList();
        Assert.Equal(waiters.Pids.Order().Select(p => p.ToString(CultureInfo.InvariantCulture)), children.Select(l => Child().Match(l).Groups["pid"].Value));
        Assert.All(children, l => Assert.Matches(@"waited [\d.]+(ms|s)", l));
        Assert.Equal("└─", Child().Match(children[^1]).Groups["branch"].Value);
        Assert.Contains(screen, l => l.StartsWith('>') && Root(l, headPid));

        top.SendKeys("K");
        await top.WaitForTextAsync($"terminate pid {headPid} top-head");
        top.SendKeys("Enter");
        screen = await top.WaitForTextAsync($"pid {headPid} (top-head) terminated");

        await Task.WhenAll(selects).WaitAsync(TimeSpan.FromSeconds(10));
        await ServerState.WaitUntilGoneAsync(Sandbox, [head.ProcessID]);
        Assert.Contains(screen, l => l.Contains("Audit log: ", StringComparison.Ordinal) || l.Contains(_audit, StringComparison.Ordinal));
        var records = AuditRecords().ToList();
        Assert.Single(records, r => r.GetProperty("event").GetString() == "action-started" && r.GetProperty("action").GetProperty("pid").GetInt32() == head.ProcessID);
        var finished = Assert.Single(records, r => r.GetProperty("event").GetString() == "action-finished");
        Assert.Equal(("top", "terminate", head.ProcessID, "terminated"), (finished.GetProperty("origin").GetString(), finished.GetProperty("command").GetString(), finished.GetProperty("action").GetProperty("pid").GetInt32(), finished.GetProperty("result").GetString()));
        await QuitAsync(top);
    }

    [Fact]
    public async Task Top_KOnAnotherSuperusersSession_SparedWithTheReasonAndNothingEnded()
    {
        var role = "top_other_admin_" + Guid.NewGuid().ToString("N")[..6];
        var password = "top-" + Guid.NewGuid().ToString("N");
        var other = await Sandbox.CreateRoleAsync(role, password, "SUPERUSER");
        var (head, waiters, selects) = await LockChainAsync("top_tree_spared", other, "top-other-head");
        await using var _ = head;
        await using var __ = waiters;
        var headPid = head.ProcessID.ToString(CultureInfo.InvariantCulture);
        using var top = StartTop(120, 30, "--view", "lock-tree", "--application", "top-other-head", "--interval", "500ms");
        await top.WaitForAsync(lines => lines.Any(l => l.StartsWith('>') && Root(l, headPid)), "the cursor on the head");

        top.SendKeys("K");
        var screen = await top.WaitForTextAsync("nothing done");
        var result = string.Join(' ', screen.SkipWhile(l => !l.Contains("nothing done", StringComparison.Ordinal)).Take(3).Select(l => l.Trim()));

        Assert.Contains($"pid {headPid} ({role}, top-other-head)", result, StringComparison.Ordinal);
        Assert.Contains($"superuser {role}, not an application role (use --app-role {role} or --include-superusers)", result, StringComparison.Ordinal);
        await using (var check = await PostgresSandbox.OpenAsync(Sandbox.SuperuserTarget))
        await using (var alive = new NpgsqlCommand($"SELECT count(*) FROM pg_stat_activity WHERE pid = {headPid}", check))
        {
            Assert.Equal(1L, await alive.ExecuteScalarAsync());
        }

        Assert.DoesNotContain(AuditRecords(), r => r.GetProperty("event").GetString() is "action-started" or "action-finished");
        await using (var rollback = new NpgsqlCommand("ROLLBACK", head))
        {
            await rollback.ExecuteNonQueryAsync();
        }

        await Task.WhenAll(selects).WaitAsync(TimeSpan.FromSeconds(10));
        await QuitAsync(top);
    }

    [Fact]
    public async Task Top_COnARunningPgSleep_CancelsTheQueryAndTheSessionStaysConnected()
    {
        await using var sleeper = await PostgresSandbox.OpenAsync(Sandbox.SuperuserTarget, applicationName: "top-sleeper");
        var sleeping = new NpgsqlCommand("SELECT pg_sleep(60)", sleeper).ExecuteNonQueryAsync();
        await ServerState.WaitUntilAsync(Sandbox, "EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'top-sleeper' AND wait_event = 'PgSleep')");
        var pid = sleeper.ProcessID.ToString(CultureInfo.InvariantCulture);
        using var top = StartTop(100, 24, "--view", "running", "--application", "top-sleeper", "--interval", "500ms");
        await top.WaitForAsync(lines => lines.Any(l => l.StartsWith('>') && l.Contains(pid, StringComparison.Ordinal) && l.Contains("pg_sleep", StringComparison.Ordinal)), "the cursor on the pg_sleep");

        top.SendKeys("C");
        await top.WaitForTextAsync($"cancel the query of pid {pid} top-sleeper");
        top.SendKeys("Enter");
        await top.WaitForTextAsync($"pid {pid} (top-sleeper) cancelled");

        var cancelled = await Assert.ThrowsAsync<PostgresException>(() => sleeping.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("57014", cancelled.SqlState);
        await using var again = new NpgsqlCommand("SELECT pg_backend_pid()", sleeper);
        Assert.Equal(sleeper.ProcessID, await again.ExecuteScalarAsync());
        await QuitAsync(top);
    }

    [Fact]
    public async Task Top_At80x24_EveryPaneOnScreenNoRowWrapsAndAfterResizeTo200x50ThePanesGrow()
    {
        await using var running = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 8, "top-layout-checkout-service-eu-west-1");
        var sleeps = running.Connections.Select(c => new NpgsqlCommand("SELECT pg_sleep(60) /* a long report query that does not fit in eighty columns */", c).ExecuteNonQueryAsync()).ToList();
        await using var idle = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 8, "top-layout-reporting-dashboard");
        try
        {
            await idle.ExecuteOnEachAsync("BEGIN; SELECT 1");
            await ServerState.WaitUntilAsync(Sandbox, "(SELECT count(*) FROM pg_stat_activity WHERE application_name = 'top-layout-checkout-service-eu-west-1' AND wait_event = 'PgSleep') = 8");
            using var top = StartTop(80, 24, "--interval", "500ms");

            var small = await top.WaitForAsync(lines => Title(lines, "running (") is not null && Title(lines, "idle in transaction (") is not null && Title(lines, "lock tree (") is not null, "the three pane titles");
            Assert.Equal(24, small.Count);
            Assert.All(small, l => Assert.True(l.Length <= 80, l));
            var smallRows = RowsUnder(small, "running (");
            AssertWholeRows(small, "running (");
            AssertWholeRows(small, "idle in transaction (");
            Assert.Contains(small, l => l.StartsWith("q quit", StringComparison.Ordinal));

            top.Resize(200, 50);
            var large = await top.WaitForAsync(lines => lines.Count == 50 && RowsUnder(lines, "running (") > smallRows && RowsUnder(lines, "idle in transaction (") > RowsUnder(small, "idle in transaction ("), "larger panes");
            AssertWholeRows(large, "running (");
            Assert.Contains(large, l => l.Contains("top-layout-checkout-service-eu-west-1", StringComparison.Ordinal));
            await QuitAsync(top);
        }
        finally
        {
            foreach (var pid in running.Pids)
            {
                await Sandbox.ExecuteAsync($"SELECT pg_cancel_backend({pid})");
            }

            await Task.WhenAll(sleeps.Select(s => s.ContinueWith(_ => { }, TaskScheduler.Default))).WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public async Task Top_FilterAndSortKeys_ChangeWhichSessionsAndInWhatOrder()
    {
        await using var alpha = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 1, "top-sort-alpha");
        await using var beta = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 1, "top-sort-beta");
        var sleeps = new[] { alpha, beta }.Select(h => new NpgsqlCommand("SELECT pg_sleep(60)", h.Connections[0]).ExecuteNonQueryAsync()).ToList();
        try
        {
            await ServerState.WaitUntilAsync(Sandbox, "(SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'top-sort-%' AND wait_event = 'PgSleep') = 2");
            using var top = StartTop(120, 30, "--view", "running", "--interval", "500ms");
            await top.WaitForAsync(lines => lines.Any(l => l.Contains("top-sort-alpha", StringComparison.Ordinal)) && lines.Any(l => l.Contains("top-sort-beta", StringComparison.Ordinal)), "both sessions");

            top.SendKeys("/");
            await top.WaitForTextAsync("filter (db: app: user: state:");
            top.SendKeys("app:top-sort-beta", literal: true);
            top.SendKeys("Enter");
            var filtered = await top.WaitForAsync(lines => lines.Any(l => l.Contains("filter app:top-sort-beta", StringComparison.Ordinal)), "the filter applied");
            Assert.Contains(filtered, l => l.Contains("top-sort-beta", StringComparison.Ordinal) && l.Contains(beta.Pids[0].ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
            Assert.DoesNotContain(filtered, l => l.Contains("top-sort-alpha", StringComparison.Ordinal));
            Assert.Contains(filtered, l => l.StartsWith("running (1)", StringComparison.Ordinal));

            top.SendKeys("/");
            await top.WaitForTextAsync("filter (db: app: user: state:");
            top.SendKeys("C-u");
            for (var i = 0; i < 20; i++)
            {
                top.SendKeys("BSpace");
            }

            top.SendKeys("Enter");
            top.SendKeys("a");
            var byName = await top.WaitForAsync(lines => lines.Any(l => l.Contains("sort application", StringComparison.Ordinal) && !l.Contains("reversed", StringComparison.Ordinal)) && Order(lines) is [..] o && o.Contains("top-sort-alpha") && o.Contains("top-sort-beta"), "sorted by application");
            Assert.True(Order(byName).IndexOf("top-sort-alpha") < Order(byName).IndexOf("top-sort-beta"), string.Join('\n', byName));
            top.SendKeys("a");
            var reversed = await top.WaitForTextAsync("sort application (reversed)");
            reversed = await top.WaitForAsync(lines => lines.Any(l => l.Contains("(reversed)", StringComparison.Ordinal)) && Order(lines).Contains("top-sort-alpha"), "reversed order");
            Assert.True(Order(reversed).IndexOf("top-sort-beta") < Order(reversed).IndexOf("top-sort-alpha"), string.Join('\n', reversed));
            await QuitAsync(top);
        }
        finally
        {
            foreach (var pid in alpha.Pids.Concat(beta.Pids))
            {
                await Sandbox.ExecuteAsync($"SELECT pg_cancel_backend({pid})");
            }

            await Task.WhenAll(sleeps.Select(s => s.ContinueWith(_ => { }, TaskScheduler.Default))).WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public async Task Top_ViewModeSortRefreshPauseAndHelpKeys_EachChangesWhatTheScreenSays()
    {
        using var top = StartTop(120, 30, "--interval", "1s");
        await top.WaitForTextAsync("every 1s");

        // Each key, and what the status line says after it: F1-F3 as in pg_activity name the view; T cycles the
        // duration column (query → transaction → backend → query); s sorts by state; +/- step the refresh
        // through 0.5s … 5s.
        (string Key, string Then)[] steps =
        [
            ("F2", "view waiting"), ("F3", "view blocking"), ("F1", "view running"),
            ("T", "T xact"), ("T", "T backend"), ("T", "T query"), ("s", "sort state"),
            ("+", "every 2s"), ("-", "every 1s"), ("-", "every 500ms"),
        ];
        foreach (var (key, then) in steps)
        {
            top.SendKeys(key);
            await top.WaitForTextAsync(then);
        }

        // p: the frame holds still (its clock stops) until p again.
        top.SendKeys("p");
        var paused = await top.WaitForTextAsync("PAUSED");
        var clock = Clock(paused);
        await Task.Delay(1500);
        Assert.Equal(clock, Clock(top.Capture()));
        top.SendKeys("p");
        var resumed = await top.WaitForAsync(lines => !lines.Any(l => l.Contains("PAUSED", StringComparison.Ordinal)) && Clock(lines) != clock, "the clock moving again");
        Assert.NotEqual(clock, Clock(resumed));

        // ? shows the keys; any key closes it.
        top.SendKeys("?");
        var help = await top.WaitForTextAsync("keys (any key closes this help)");
        Assert.Contains(help, l => l.Contains("F1 F2 F3 running, waiting, blocking", StringComparison.Ordinal));
        top.SendKeys("x");
        await top.WaitForAsync(lines => !lines.Any(l => l.Contains("any key closes this help", StringComparison.Ordinal)) && lines.Any(l => l.Contains("view running", StringComparison.Ordinal)), "the help closed");
        await QuitAsync(top);
    }

    private static string? Clock(IReadOnlyList<string> lines) =>
        lines.Select(l => ClockText().Match(l)).FirstOrDefault(m => m.Success)?.Value;

    [GeneratedRegex(@"\d\d:\d\d:\d\d UTC")]
    private static partial Regex ClockText();

    [Fact]
    public async Task Top_ReadOnly_KRefusedWithAMessageAndNothingEnded()
    {
        await using var held = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 1, "top-readonly");
        await held.ExecuteOnEachAsync("BEGIN; SELECT 1");
        using var top = StartTop(100, 24, "--read-only", "--view", "idle-in-transaction", "--application", "top-readonly", "--interval", "500ms");
        var pid = held.Pids[0].ToString(CultureInfo.InvariantCulture);
        await top.WaitForAsync(lines => lines.Any(l => l.StartsWith('>') && l.Contains(pid, StringComparison.Ordinal)), "the cursor on the session");

        top.SendKeys("K");
        var screen = await top.WaitForTextAsync("K: refused — top runs --read-only");

        Assert.Contains(screen, l => l.Contains("read-only", StringComparison.Ordinal) && l.Contains("view idle in transaction", StringComparison.Ordinal));
        await using var alive = new NpgsqlCommand("SELECT 1", held.Connections[0]);
        Assert.Equal(1, await alive.ExecuteScalarAsync());
        Assert.False(File.Exists(_audit));
        await QuitAsync(top);
    }

    [Fact]
    public async Task Top_OutputCsv_EachFrameAppendsItsSessionsUnderOneHeader()
    {
        var csv = Path.Combine(Path.GetTempPath(), $"pgmedic-top-{Guid.NewGuid():N}.csv");
        await using var held = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 2, "top-csv, \"quoted\"");
        try
        {
            using (var top = StartTop(100, 24, "--output", csv, "--application", "top-csv, \"quoted\"", "--interval", "500ms"))
            {
                await top.WaitForTextAsync("top-csv");
                var stopwatch = System.Diagnostics.Stopwatch.StartNew();
                while (File.ReadAllLines(csv).Length < 1 + (2 * 3) && stopwatch.Elapsed < TimeSpan.FromSeconds(10))
                {
                    await Task.Delay(100);
                }

                await QuitAsync(top);
            }

            var lines = File.ReadAllLines(csv);
            Assert.Equal(Cli.Top.FrameCsv.Header, lines[0]);
            Assert.Single(lines, l => l == Cli.Top.FrameCsv.Header);
            var rows = lines.Skip(1).ToList();
            Assert.True(rows.Count >= 6 && rows.Count % 2 == 0, string.Join('\n', lines));
            Assert.All(rows, r => Assert.Contains(",\"top-csv, \"\"quoted\"\"\",", r, StringComparison.Ordinal));
            Assert.Equal(held.Pids.Order(), rows.Take(2).Select(r => int.Parse(r.Split(',')[1], CultureInfo.InvariantCulture)).Order());
            Assert.True(rows.Select(r => r[..r.IndexOf(',', StringComparison.Ordinal)]).Distinct().Count() >= 3, "one taken_at per frame");
        }
        finally
        {
            File.Delete(csv);
        }
    }

    public void Dispose() => File.Delete(_audit);

    private TmuxSession StartTop(int width, int height, params string[] args) =>
        TmuxSession.Start(width, height, [.. BuildOutput.CliCommand, "top", "--audit-log", _audit, .. args], new Dictionary<string, string> { ["DATABASE_URL"] = Sandbox.SuperuserTarget.ToUrl() });

    private static async Task QuitAsync(TmuxSession top)
    {
        top.SendKeys("q");
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        while (!top.Exited && stopwatch.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
        }

        Assert.True(top.Exited, "top did not quit on q");
    }

    /// <summary>A head (its own application) holding an ACCESS EXCLUSIVE lock, and three SELECTs queued behind it directly.</summary>
    private async Task<(NpgsqlConnection Head, HeldConnections Waiters, List<Task<object?>> Selects)> LockChainAsync(string table, Postgres.Targets.ConnectionTarget headTarget, string application)
    {
        await Sandbox.ExecuteAsync($"CREATE TABLE IF NOT EXISTS {table} (id int); GRANT ALL ON {table} TO PUBLIC");
        var head = await PostgresSandbox.OpenAsync(headTarget, applicationName: application);
        await using (var lockIt = new NpgsqlCommand($"BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE", head))
        {
            await lockIt.ExecuteNonQueryAsync();
        }

        var waiters = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 3, application + "-waiter");
        var selects = waiters.Connections.Select(c => new NpgsqlCommand($"SELECT count(*) FROM {table}", c).ExecuteScalarAsync()).ToList();
        await ServerState.WaitUntilAsync(Sandbox, $"(SELECT count(*) FROM pg_stat_activity WHERE application_name = '{application}-waiter' AND wait_event_type = 'Lock') = 3");
        return (head, waiters, selects);
    }

    private IEnumerable<JsonElement> AuditRecords() =>
        File.Exists(_audit)
            ? File.ReadAllLines(_audit).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList()
            : [];

    private static bool Root(string line, string pid) => Regex.IsMatch(line, $@"^[> ][* ]{pid} ");

    private static string? Title(IReadOnlyList<string> lines, string start) => lines.FirstOrDefault(l => l.StartsWith(start, StringComparison.Ordinal));

    /// <summary>Session rows under a pane's title and column header, up to the next blank or title line.</summary>
    private static int RowsUnder(IReadOnlyList<string> lines, string title)
    {
        var at = lines.ToList().FindIndex(l => l.StartsWith(title, StringComparison.Ordinal));
        return at < 0 ? 0 : lines.Skip(at + 2).TakeWhile(l => SessionRow().IsMatch(l)).Count();
    }

    /// <summary>The title says how many rows it shows; exactly that many whole session rows follow its column header.</summary>
    private static void AssertWholeRows(IReadOnlyList<string> lines, string title)
    {
        var heading = Title(lines, title)!;
        var shown = Regex.Match(heading, @"\((\d+)(, (\d+) shown)?\)");
        var expected = int.Parse(shown.Groups[3].Success ? shown.Groups[3].Value : shown.Groups[1].Value, CultureInfo.InvariantCulture);
        var at = lines.ToList().IndexOf(heading);
        Assert.Matches(@"^\s+pid ", lines[at + 1]);
        Assert.Equal(expected, RowsUnder(lines, title));
        Assert.False(SessionRow().IsMatch(lines[at + 2 + expected]) , $"a row more than the title says under '{heading}'");
    }

    private static List<string> Order(IReadOnlyList<string> lines) =>
        lines.Where(l => SessionRow().IsMatch(l)).Select(l => Regex.Match(l, "top-sort-[a-z]+").Value).Where(v => v.Length > 0).ToList();

    [GeneratedRegex(@"^[> ][* ]\s*\d+ ")]
    private static partial Regex SessionRow();

    [GeneratedRegex(@"^[> ][* ](?<branch>├─|└─) (?<pid>\d+) ")]
    private static partial Regex Child();
}
