using System.Globalization;
using System.Text.Json;
using Npgsql;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Activity;

/// <summary><c>activity --tree</c> and lock waits measured from <c>pg_locks.waitstart</c>, against real sessions.</summary>
[Collection(SandboxCollection.Name)]
public sealed class ActivityTreeTests(SandboxFixture fixture)
{
    private PostgresSandbox Sandbox => fixture.Sandbox;

    [Fact]
    public async Task ActivityTree_HeadAndTwoWaiters_TreeWithWaitsFromWaitStartNotQueryStart()
    {
        await Sandbox.ExecuteAsync("CREATE TABLE IF NOT EXISTS activity_tree (id int)");
        await using var head = await PostgresSandbox.OpenAsync(Sandbox.SuperuserTarget, applicationName: "tree-head");
        await using (var lockIt = new NpgsqlCommand("BEGIN; LOCK TABLE activity_tree IN ACCESS EXCLUSIVE MODE", head))
        {
            await lockIt.ExecuteNonQueryAsync();
        }

        // Each waiter's statement sleeps 1.5s before it queues for the lock: query_start is 1.5s earlier than waitstart.
        await using var waiters = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 2, "tree-waiter");
        var blocked = waiters.Connections.Select(c => new NpgsqlCommand("DO $$ BEGIN PERFORM pg_sleep(1.5); PERFORM count(*) FROM activity_tree; END $$", c).ExecuteNonQueryAsync()).ToList();
        await ServerState.WaitUntilAsync(Sandbox, "(SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tree-waiter' AND wait_event_type = 'Lock') = 2");

        var tree = await CliRun.InvokeAsync("activity", Sandbox.SuperuserTarget.ToUrl(), "--tree");
        var json = await CliRun.InvokeAsync("activity", Sandbox.SuperuserTarget.ToUrl(), "--format", "json");
        await using (var rollback = new NpgsqlCommand("ROLLBACK", head))
        {
            await rollback.ExecuteNonQueryAsync();
        }

        await Task.WhenAll(blocked).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, tree.ExitCode);
        var headPid = head.ProcessID.ToString(CultureInfo.InvariantCulture);
        var lines = tree.Lines;
        Assert.Contains("lock tree — 1 chain(s), 2 session(s) waiting · waits from pg_locks.waitstart", lines[0], StringComparison.Ordinal);
        var root = Assert.Single(lines, l => l.StartsWith(headPid + " tree-head", StringComparison.Ordinal));
        Assert.Contains("idle in transaction", root, StringComparison.Ordinal);
        Assert.Contains("· 2 behind · ", root, StringComparison.Ordinal);
        Assert.Contains("LOCK TABLE activity_tree", root, StringComparison.Ordinal);
        var order = waiters.Pids.Order().Select(p => p.ToString(CultureInfo.InvariantCulture)).ToList();
        Assert.Matches($@"^├─ {order[0]} tree-waiter \(postgres@postgres\) waiting [\d.]+(ms|s) on relation", lines[lines.ToList().IndexOf(root) + 1]);
        Assert.Matches($@"^└─ {order[1]} tree-waiter \(postgres@postgres\) waiting [\d.]+(ms|s) on relation", lines[lines.ToList().IndexOf(root) + 2]);

        using var document = JsonDocument.Parse(json.Out);
        Assert.Equal("waitstart", document.RootElement.GetProperty("lockWaitClock").GetString());
        var trees = document.RootElement.GetProperty("lockTrees");
        Assert.Equal(head.ProcessID, trees[0].GetProperty("pid").GetInt32());
        Assert.Equal(2, trees[0].GetProperty("behind").GetInt32());
        foreach (var session in document.RootElement.GetProperty("sessions").EnumerateArray().Where(s => s.GetProperty("application").GetString() == "tree-waiter"))
        {
            var waited = session.GetProperty("lockWaitAgeSeconds").GetDouble();
            var running = session.GetProperty("queryAgeSeconds").GetDouble();
            Assert.True(running - waited >= 1.0, $"waited {waited}s of a statement running {running}s: the wait must start after the 1.5s sleep");
        }
    }
}
