using System.Diagnostics;
using System.Globalization;
using Npgsql;
using PgMedic.Core.Diagnosis;
using PgMedic.Postgres.Collection;
using PgMedic.Postgres.Probing;
using PgMedic.Postgres.Sandbox;

// Measures one full `diagnose` snapshot (one batch over one connection) with 50 and 500 client
// connections open, against the peer approach measured in the same run: pgwatch's "backends"
// metric, which calls pg_blocking_pids() for every backend. Usage: dotnet run -c Release [-- iterations]
var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 40;
const string PeerSql = """
    SELECT count(*) AS total,
           count(*) FILTER (WHERE state = 'active') AS active,
           count(*) FILTER (WHERE state = 'idle') AS idle,
           count(*) FILTER (WHERE state = 'idle in transaction') AS idle_in_transaction,
           count(*) FILTER (WHERE cardinality(pg_blocking_pids(pid)) > 0) AS waiting
    FROM pg_stat_activity WHERE pid <> pg_backend_pid()
    """;

await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { MaxConnections = 560, Settings = new Dictionary<string, string> { ["pg_stat_statements.track"] = "all" } });
Console.WriteLine($"PostgreSQL {sandbox.ServerVersion}, {Environment.ProcessorCount} cores, {iterations} iterations per case");
var held = new List<NpgsqlConnection>();
try
{
    foreach (var count in new[] { 50, 500 })
    {
        while (held.Count < count)
        {
            var connection = await PostgresSandbox.OpenAsync(sandbox.SuperuserTarget, applicationName: $"bench-app-{held.Count % 7}");
            // A realistic mix: most idle, every tenth in an open transaction.
            if (held.Count % 10 == 0)
            {
                await using var begin = new NpgsqlCommand("BEGIN; SELECT 1;", connection);
                await begin.ExecuteNonQueryAsync();
            }

            held.Add(connection);
        }

        var (collector, _) = await Prober.ConnectAsync(sandbox.SuperuserTarget, TimeSpan.FromSeconds(10), ConnectionSettings.Collector, CancellationToken.None);
        await using (collector!)
        {
            await sandbox.ExecuteAsync("SELECT pg_stat_statements_reset()");
            var ours = await TimeAsync(iterations, async () =>
            {
                var snapshot = await SnapshotCollector.CollectAsync(collector!, TimeSpan.FromSeconds(5), CancellationToken.None);
                _ = Diagnoser.Diagnose(snapshot, new DiagnosisOptions());
            });
            var oursServer = await ServerMillisecondsAsync(sandbox, "%FROM pg_stat_get_activity(%");

            await sandbox.ExecuteAsync("SELECT pg_stat_statements_reset()");
            await using var peer = new NpgsqlCommand(PeerSql, collector);
            var theirs = await TimeAsync(iterations, async () => await peer.ExecuteScalarAsync());
            var theirsServer = await ServerMillisecondsAsync(sandbox, "%cardinality(pg_blocking_pids%");

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{count,4} connections | pgmedic snapshot+diagnose median {ours:0.00} ms (activity statement server-side {oursServer:0.00} ms) | pgwatch-style backends median {theirs:0.00} ms (server-side {theirsServer:0.00} ms) | ratio {ours / theirs:0.00}"));
        }
    }
}
finally
{
    foreach (var connection in held)
    {
        await connection.DisposeAsync();
    }
}

static async Task<double> TimeAsync(int iterations, Func<Task> action)
{
    await action();
    var samples = new List<double>();
    for (var i = 0; i < iterations; i++)
    {
        var stopwatch = Stopwatch.StartNew();
        await action();
        samples.Add(stopwatch.Elapsed.TotalMilliseconds);
    }

    samples.Sort();
    return samples[samples.Count / 2];
}

static async Task<double> ServerMillisecondsAsync(PostgresSandbox sandbox, string like)
{
    await using var connection = await PostgresSandbox.OpenAsync(sandbox.SuperuserTarget);
    await using var command = new NpgsqlCommand("SELECT coalesce(sum(total_exec_time) / nullif(sum(calls), 0), 0) FROM pg_stat_statements WHERE query LIKE $1", connection);
    command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = like });
    return Convert.ToDouble(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
}
