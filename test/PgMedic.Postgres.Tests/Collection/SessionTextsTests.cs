using Npgsql;
using PgMedic.Postgres.Collection;
using PgMedic.Postgres.Probing;
using PgMedic.Testing;

namespace PgMedic.Postgres.Tests.Collection;

/// <summary>Snapshots over one connection keep one instance of a text many sessions send, scrubbed, and only while it is still read.</summary>
[Collection(SandboxCollection.Name)]
public sealed class SessionTextsTests(SandboxFixture fixture)
{
    [Fact]
    public async Task Snapshots_ThreeSessionsSendingTheSameTextWithThePassword_OneScrubbedInstanceUntilASnapshotNoLongerReadsIt()
    {
        var sandbox = fixture.Sandbox;
        var password = sandbox.SuperuserTarget.Password!;

        // Longer than the decoding buffer starts (256 characters) and than its first growth.
        var padding = " -- " + new string('x', 600);
        await using var senders = await HeldConnections.OpenAsync(sandbox.SuperuserTarget, 3, "texts-same");
        await senders.ExecuteOnEachAsync($"SELECT 'texts {password}' AS said{padding}");
        await using var collector = await OpenCollectorAsync();

        var first = await QueriesAsync(collector, senders);
        var second = await QueriesAsync(collector, senders);
        await senders.ExecuteOnEachAsync("SELECT 'texts changed'");
        var changed = await QueriesAsync(collector, senders);
        await senders.ExecuteOnEachAsync($"SELECT 'texts {password}' AS said{padding}");
        var back = await QueriesAsync(collector, senders);

        Assert.All(first.Concat(second).Concat(back), q => Assert.Equal("SELECT 'texts ***' AS said" + padding, q));
        Assert.All(changed, q => Assert.Equal("SELECT 'texts changed'", q));
        Assert.Single(first.Concat(second).Distinct(ReferenceEqualityComparer.Instance));
        Assert.Single(back.Distinct(ReferenceEqualityComparer.Instance));

        // The snapshot in between did not read it, so it was let go: the text that came back is a new instance.
        Assert.False(ReferenceEquals(first[0], back[0]));
    }

    private async Task<List<string>> QueriesAsync(NpgsqlConnection collector, HeldConnections senders)
    {
        var snapshot = await SnapshotCollector.CollectAsync(collector, TimeSpan.FromSeconds(5), CancellationToken.None);
        var pids = senders.Pids;
        var queries = snapshot.Sessions.Where(s => pids.Contains(s.Pid)).Select(s => s.Query!).ToList();
        Assert.Equal(3, queries.Count);
        return queries;
    }

    private async Task<NpgsqlConnection> OpenCollectorAsync()
    {
        var (connection, probe) = await Prober.ConnectAsync(fixture.Sandbox.SuperuserTarget, TimeSpan.FromSeconds(10), ConnectionSettings.Collector, CancellationToken.None);
        Assert.True(connection is not null, probe.Message);
        return connection;
    }
}
