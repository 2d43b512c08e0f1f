using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using PgMedic.Monitor.Shards;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Monitor.Tests.Shards;

/// <summary>Two <c>pgmedic serve --shard I/2</c> processes over one target list.</summary>
[Collection(MonitorCollection.Name)]
public sealed partial class ShardTests(MonitorSandbox fixture) : IAsyncLifetime
{
    private static readonly string[] Names = ["orders", "billing", "search", "ledger", "accounts", "catalog"];
    private readonly string _directory = Directory.CreateTempSubdirectory("pgmedic-shards-test-").FullName;
    private readonly string _prefix = $"sh{Guid.NewGuid():N}"[..10];

    public async Task InitializeAsync()
    {
        foreach (var name in Names)
        {
            await fixture.Sandbox.ExecuteAsync($"CREATE DATABASE {_prefix}_{name}");
        }
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        foreach (var name in Names)
        {
            await fixture.Sandbox.ExecuteAsync($"DROP DATABASE IF EXISTS {_prefix}_{name} WITH (FORCE)");
        }


        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Serve_TwoShardsOverOneTargetList_PollDisjointHalvesAndNameEachOthersOwner()
    {
        var targets = string.Join(",\n", Names.Select(n => $$"""{ "name": "{{n}}", "connection": "{{fixture.Sandbox.SuperuserTarget.WithDatabase($"{_prefix}_{n}").ToUrl()}}" }"""));
        var config = Path.Combine(_directory, "pgmedic.json");
        await File.WriteAllTextAsync(config, $$"""{ "port": 0, "pollInterval": "500ms", "shardUrl": "http://monitor-{shard}.internal:9733/", "targets": [ {{targets}} ] }""");
        var expected = new[] { new ShardOptions(0, 2), new ShardOptions(1, 2) }.Select(s => Names.Where(s.Owns).Order().ToList()).ToList();
        Assert.All(expected, half => Assert.NotEmpty(half));

        using var first = Start(config, 0);
        using var second = Start(config, 1);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var addresses = new[] { await AddressAsync(first), await AddressAsync(second) };

        for (var shard = 0; shard < 2; shard++)
        {
            var own = expected[shard];
            await WaitAsync(async () => (await TargetsAsync(http, addresses[shard])).Where(t => t.GetProperty("owner").GetProperty("here").GetBoolean())
                .All(t => t.GetProperty("polledAt").ValueKind != JsonValueKind.Null), $"shard {shard} to poll its targets");
            var listed = await TargetsAsync(http, addresses[shard]);
            var metrics = await http.GetStringAsync(new Uri(addresses[shard], "/metrics"));

            Assert.Equal(Names.Order(), listed.Select(t => t.GetProperty("name").GetString()!).Order());
            Assert.Equal(own, listed.Where(t => t.GetProperty("owner").GetProperty("here").GetBoolean()).Select(t => t.GetProperty("name").GetString()!).Order());
            Assert.All(listed.Where(t => !t.GetProperty("owner").GetProperty("here").GetBoolean()), t =>
            {
                Assert.Equal(1 - shard, t.GetProperty("owner").GetProperty("shard").GetInt32());
                Assert.Equal($"http://monitor-{1 - shard}.internal:9733/", t.GetProperty("owner").GetProperty("url").GetString());
                Assert.Equal(JsonValueKind.Null, t.GetProperty("polledAt").ValueKind);
            });
            Assert.Equal(own, TargetLabel().Matches(metrics).Select(m => m.Groups[1].Value).Distinct().Order());

            using var misdirected = await http.GetAsync(new Uri(addresses[shard], $"/probe?target={expected[1 - shard][0]}"));
            var problem = JsonSerializer.Deserialize<JsonElement>(await misdirected.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.Conflict, misdirected.StatusCode);
            Assert.Equal(1 - shard, problem.GetProperty("ownerShard").GetInt32());
        }

        // The servers' side: every database has exactly one monitor lifeline — no target is polled twice, none is
        // left out. A lifeline is long-lived; the probes' fresh connections (also 'pgmedic') last milliseconds.
        await WaitAsync(async () => (await LifelinesAsync()).Count == Names.Length, "every database's lifeline to be 2 s old", first, second);
        var lifelines = await LifelinesAsync();

        Assert.Equal(Names.Select(n => $"{_prefix}_{n}").Order(), lifelines.Keys.Order());
        Assert.All(lifelines.Values, count => Assert.Equal(1, count));
        Assert.Contains("as shard 0/2", first.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_TwoShardsWithThePostgresHistory_EitherInstanceShowsEveryTargetPolled()
    {
        // The platform team's own PostgreSQL, apart from the monitored ones.
        await using var historyServer = await PostgresSandbox.StartAsync(new SandboxOptions { MaxConnections = 30, CreatePgStatStatements = false });
        var targets = string.Join(",\n", Names.Select(n => $$"""{ "name": "{{n}}", "connection": "{{fixture.Sandbox.SuperuserTarget.WithDatabase($"{_prefix}_{n}").ToUrl()}}" }"""));
        var config = Path.Combine(_directory, "pgmedic.json");
        await File.WriteAllTextAsync(config, $$"""
            { "port": 0, "pollInterval": "500ms", "history": { "connection": "{{historyServer.SuperuserTarget.ToUrl()}}" }, "targets": [ {{targets}} ] }
            """);

        using var first = Start(config, 0, postgres: true);
        using var second = Start(config, 1, postgres: true);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var addresses = new[] { await AddressAsync(first), await AddressAsync(second) };

        foreach (var address in addresses)
        {
            await WaitAsync(async () => (await TargetsAsync(http, address)).All(t => t.GetProperty("polledAt").ValueKind != JsonValueKind.Null), $"{address} to show every target polled", first, second);
            var listed = await TargetsAsync(http, address);

            Assert.Equal(Names.Order(), listed.Select(t => t.GetProperty("name").GetString()!).Order());
            Assert.All(listed, t =>
            {
                Assert.Equal("connected", t.GetProperty("database").GetString());
                Assert.True(t.GetProperty("usage").GetProperty("usableSlots").GetInt32() > 0);
            });
            Assert.Contains(listed, t => t.GetProperty("owner").GetProperty("here").GetBoolean());
            var other = listed.First(t => !t.GetProperty("owner").GetProperty("here").GetBoolean()).GetProperty("name").GetString();
            var samples = await http.GetFromJsonAsync<JsonElement>(new Uri(address, $"/api/targets/{other}/history?since=5m"));
            Assert.True(samples.GetProperty("points").GetArrayLength() > 0, $"no history of {other} on {address}");
            using var activity = await http.GetAsync(new Uri(address, $"/api/targets/{other}/activity"));
            Assert.Equal(HttpStatusCode.Conflict, activity.StatusCode);
        }

        // Each instance's targets and objective minutes, in the one history.
        await using (var history = await PostgresSandbox.OpenAsync(historyServer.SuperuserTarget))
        {
            await using var counts = new NpgsqlCommand("SELECT (SELECT count(DISTINCT target) FROM pgmedic.slo_minutes), (SELECT count(*) FROM pgmedic.targets)", history);
            await using var reader = await counts.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal(((long)Names.Length, (long)Names.Length), (reader.GetInt64(0), reader.GetInt64(1)));
        }

        Assert.Contains("history in postgres://postgres:***@", first.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Sandbox.SuperuserPassword, first.Output + second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(historyServer.SuperuserPassword, first.Output + second.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2/2", "shards are numbered from 0 to 1")]
    [InlineData("1", "is not I/N")]
    public async Task Serve_BadShard_ExitThreeWithOneLine(string shard, string message)
    {
        var config = Path.Combine(_directory, "pgmedic.json");
        await File.WriteAllTextAsync(config, $$"""{ "port": 0, "targets": [ { "name": "one", "connection": "{{fixture.Sandbox.SuperuserTarget.ToUrl()}}" } ] }""");

        using var serve = PgMedicProcess.Start("serve", "--config", config, "--shard", shard);

        Assert.Equal(3, await serve.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(message, serve.Output, StringComparison.Ordinal);
        Assert.Single(serve.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>The monitors' long-lived sessions per database, as the server counts them.</summary>
    private async Task<Dictionary<string, long>> LifelinesAsync()
    {
        await using var connection = await PostgresSandbox.OpenAsync(fixture.Sandbox.SuperuserTarget);
        await using var command = new NpgsqlCommand("SELECT datname, count(*) FROM pg_stat_activity WHERE application_name = 'pgmedic' AND datname LIKE $1 AND backend_start < now() - interval '2 seconds' GROUP BY datname", connection);
        command.Parameters.AddWithValue(_prefix + "_%");
        var lifelines = new Dictionary<string, long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lifelines[reader.GetString(0)] = reader.GetInt64(1);
        }

        return lifelines;
    }

    private PgMedicProcess Start(string config, int shard, bool postgres = false) =>
        postgres
            ? PgMedicProcess.Start("serve", "--config", config, "--shard", $"{shard}/2")
            : PgMedicProcess.Start(new Dictionary<string, string> { ["PGMEDIC_history__path"] = Path.Combine(_directory, $"history-{shard}.db") }, "serve", "--config", config, "--shard", $"{shard}/2");

    private static async Task<Uri> AddressAsync(PgMedicProcess process)
    {
        var output = await process.WaitForOutputAsync("listening on http://", TimeSpan.FromSeconds(60));
        return new Uri(ListeningOn().Match(output).Groups[1].Value);
    }

    private static async Task<List<JsonElement>> TargetsAsync(HttpClient http, Uri address) =>
        (await http.GetFromJsonAsync<JsonElement>(new Uri(address, "/api/targets"))).EnumerateArray().ToList();

    private static async Task WaitAsync(Func<Task<bool>> condition, string what, params PgMedicProcess[] processes)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (stopwatch.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"waited 30 s for {what}; the monitors printed:\n{string.Join("\n---\n", processes.Select(p => p.Output))}");
            }

            await Task.Delay(100);
        }
    }

    [GeneratedRegex("listening on (http://[^ ]+)")]
    private static partial Regex ListeningOn();

    [GeneratedRegex("target=\"([^\"]+)\"")]
    private static partial Regex TargetLabel();
}
