// Active session history benchmark (docs/benchmarks.md, "Active session history"): with 500 client sessions
// open on a sandbox, and 50 of them working between samples,
//   1. one sample as the 1 s sampler takes it over the lifeline (ActivityReader + ActivitySampler): the
//      monitor's CPU time per sample (Process.TotalProcessorTime over the run / samples) and the server's
//      (pg_stat_statements' mean execution time of the statement); and the aggregation alone, which is all a
//      sample costs at the default interval (the poll's snapshot is the sample);
//   2. the history a day of 1 s samples takes: real samples written as the monitor writes them (one run a
//      minute, through SqliteHistoryStore), the file's growth per minute × 1440;
//   3. "what was happening at T" over 7 days of history: those samples replayed over a week, the older six
//      days thinned to one a minute as the monitor does after a day, then moments asked at random.
// Usage: dotnet run -c Release --project bench/PgMedic.Bench.History [-- samples]
using System.Diagnostics;
using System.Globalization;
using Npgsql;
using PgMedic.Core.SessionHistory;
using PgMedic.Monitor.History;
using PgMedic.Postgres.Probing;
using PgMedic.Postgres.Sandbox;
using PgMedic.Postgres.SessionHistory;

var samples = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 600;
const int Sessions = 500;
const int Working = 50;
string[] shapes =
[
    "SELECT id, total FROM invoices WHERE id = {0}",
    "SELECT * FROM orders WHERE customer_id = {0} ORDER BY created DESC LIMIT 20",
    "UPDATE carts SET updated = now() WHERE id = {0}",
    "SELECT count(*) FROM events WHERE kind = 'view' AND item = {0}",
    "INSERT INTO audit (who, what) VALUES ('user{0}', 'login')",
    "SELECT p.name, p.price FROM products p WHERE p.category IN ({0}, {0} + 1, {0} + 2)",
    "DELETE FROM sessions WHERE expires < now() - interval '{0} minutes'",
    "SELECT pg_sleep(0) /* report {0} */",
];

await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { MaxConnections = 560, Settings = new Dictionary<string, string> { ["pg_stat_statements.track"] = "all" } });
await sandbox.ExecuteAsync("""
    CREATE TABLE invoices (id int PRIMARY KEY, total numeric); CREATE TABLE orders (id int, customer_id int, created timestamptz);
    CREATE TABLE carts (id int, updated timestamptz); CREATE TABLE events (kind text, item int); CREATE TABLE audit (who text, what text);
    CREATE TABLE products (name text, price numeric, category int); CREATE TABLE sessions (expires timestamptz);
    """);
Console.WriteLine($"PostgreSQL {sandbox.ServerVersion}, {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}; {Sessions} client sessions, {Working} of them working; {samples} samples");

var held = new List<NpgsqlConnection>();
var directory = Directory.CreateTempSubdirectory("pgmedic-bench-history-").FullName;
try
{
    var random = new Random(42);
    for (var i = 0; i < Sessions; i++)
    {
        var connection = await PostgresSandbox.OpenAsync(sandbox.SuperuserTarget, applicationName: $"app-{i % 7}");
        await Run(connection, i % 10 == 0 ? $"BEGIN; {string.Format(CultureInfo.InvariantCulture, shapes[i % shapes.Length], i)}" : string.Format(CultureInfo.InvariantCulture, shapes[i % shapes.Length], i));
        held.Add(connection);
    }

    // 1. One sample, as the 1 s sampler takes it over the lifeline.
    var (lifeline, _) = await Prober.ConnectAsync(sandbox.SuperuserTarget, TimeSpan.FromSeconds(10), ConnectionSettings.Collector, CancellationToken.None);
    await using (lifeline!)
    {
        var reader = new ActivityReader();
        var sampler = new ActivitySampler(10);
        var keys = new Dictionary<SessionKey, int>();
        int KeyOf(SessionKey key) => keys.TryGetValue(key, out var id) ? id : keys[key] = keys.Count + 1;
        var taken = new List<ActivitySample>();
        var reads = new List<IReadOnlyList<PgMedic.Core.Snapshots.SessionInfo>>();

        // Warm-up, then the measured run; the work between samples is not measured (it is the applications').
        for (var i = 0; i < 20; i++)
        {
            var (now, read) = await reader.ReadAsync(lifeline!, TimeSpan.FromSeconds(5), CancellationToken.None);
            sampler.Sample(DateTimeOffset.UtcNow, now, read, KeyOf);
        }

        // Each sample is taken right after the applications' work, as in production; so is the floor beside it
        // (every other round), so that both meet the same just-busy server and neither warms the other's caches.
        await sandbox.ExecuteAsync("SELECT pg_stat_statements_reset()");
        var cpu = TimeSpan.Zero;
        var wall = new List<double>();
        var start = new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
        await using (var floorCommand = new NpgsqlCommand("SELECT count(*) /* floor */ FROM pg_stat_get_activity(NULL)", lifeline!))
        await using (var viewCommand = new NpgsqlCommand("SELECT count(*) /* view */ FROM pg_stat_activity WHERE state <> 'idle'", lifeline!))
        {
            for (var i = 0; i < samples; i++)
            {
                await WorkAsync(held, shapes, random);
                var before = ProcessCpu.Now();
                var stopwatch = Stopwatch.StartNew();
                var (now, read) = await reader.ReadAsync(lifeline!, TimeSpan.FromSeconds(5), CancellationToken.None);
                taken.Add(sampler.Sample(start.AddSeconds(i), now, read, KeyOf));
                wall.Add(stopwatch.Elapsed.TotalMilliseconds);
                cpu += ProcessCpu.Now() - before;
                reads.Add(read);
                await WorkAsync(held, shapes, random);
                await (i % 2 == 0 ? floorCommand : viewCommand).ExecuteScalarAsync();
            }
        }

        // Every statement of the sampler's, the SET it makes once per connection included.
        var server = await ServerMillisecondsAsync(sandbox, "%FROM pg_stat_get_activity(%) %WHERE %.backend_type = %");
        await PrintStatementsAsync(sandbox);
        var serverAll = await ServerTotalMillisecondsAsync(sandbox, "/* pgmedic%") / samples;

        // What PostgreSQL's own function costs before anything is selected from it: the floor of any sampler
        // that reads pg_stat_activity (pg_ash's reads the view, which adds two joins a row).
        var floor = await ServerMillisecondsAsync(sandbox, "%/* floor */%");
        var view = await ServerMillisecondsAsync(sandbox, "%/* view */%");
        var aggregation = Stopwatch.StartNew();
        var aggregationCpu = ProcessCpu.Now();
        var again = new ActivitySampler(10);
        foreach (var read in reads)
        {
            again.Sample(start, start, read, KeyOf);
        }

        var aggregationMs = (ProcessCpu.Now() - aggregationCpu).TotalMilliseconds / reads.Count;

        // The same reads back to back (the CPU clock ticks in 10 ms: one long stretch measures it best), with a
        // fresh sampler each time so that every query is normalised again (no fingerprint cache: the worst case).
        var loopCpu = ProcessCpu.Now();
        var loop = Stopwatch.StartNew();
        for (var i = 0; i < samples; i++)
        {
            var (now, read) = await reader.ReadAsync(lifeline!, TimeSpan.FromSeconds(5), CancellationToken.None);
            new ActivitySampler(10).Sample(start, now, read, KeyOf);
        }

        var loopMs = (ProcessCpu.Now() - loopCpu).TotalMilliseconds / samples;
        Console.WriteLine(Invariant($"1. one sample of {Sessions} sessions over the lifeline: monitor CPU {cpu.TotalMilliseconds / samples:0.000} ms interleaved with the work ({samples} samples), {loopMs:0.000} ms back to back without the fingerprint cache ({loop.Elapsed.TotalMilliseconds / samples:0.00} ms wall); wall median {Median(wall):0.00} ms; server {server:0.000} ms (pg_stat_statements mean of the statement; every statement of the sampler's {serverAll:0.000} ms a sample; interleaved the same way, count(*) over pg_stat_get_activity(NULL) alone {floor:0.000} ms, over the pg_stat_activity view's non-idle rows {view:0.000} ms); aggregation alone (the default interval's whole cost) {aggregationMs:0.000} ms CPU; {keys.Count} keys, {taken.Average(s => s.Counts.Count):0.0} per sample, {reads.Average(r => r.Count(s => s.Query is not null)):0} sessions with query text"));

        // 2. A day at 1 s: real samples written a minute a run, as the monitor writes them.
        var path = Path.Combine(directory, "history.db");
        using (var store = new SqliteHistoryStore(path))
        {
            Checkpoint(path);
            var empty = Size(path);
            var written = new HashSet<int>();
            var texts = sampler.TakeNewQueries();
            foreach (var minute in taken.GroupBy(s => s.At.UtcTicks / TimeSpan.TicksPerMinute))
            {
                var used = minute.SelectMany(s => s.Counts.Select(c => c.Key)).Concat(minute.SelectMany(s => s.Sessions.Select(x => x.Key))).Where(written.Add).ToList();
                var byId = keys.ToDictionary(k => k.Value, k => k.Key);
                await store.AddActivityRunAsync("bench", new ActivityRun(minute.ToList(), used.ToDictionary(k => k, k => byId[k]), texts), CancellationToken.None);
                texts = new Dictionary<long, string>();
            }

            Checkpoint(path);
            var minutes = taken.Count / 60.0;
            var perDay = (Size(path) - empty) / minutes * 1440;
            Console.WriteLine(Invariant($"2. history at 1 s: {(Size(path) - empty) / 1024.0:0.0} KiB for {minutes:0.#} minutes = {perDay / (1024 * 1024):0.00} MiB a target a day before thinning (goal ≤ 50 MB; pg_ash publishes ~30 MiB/day)"));

            // 3. Seven days: the minutes replayed over a week, the six older days thinned as the monitor does.
            var week = new DateTimeOffset(2026, 3, 9, 0, 0, 0, TimeSpan.Zero);
            var runs = taken.GroupBy(s => s.At.UtcTicks / TimeSpan.TicksPerMinute).Select(g => g.ToList()).ToList();
            var fill = Stopwatch.StartNew();
            for (var m = 0; m < 7 * 1440; m++)
            {
                var source = runs[m % runs.Count];
                var at = week.AddMinutes(m);
                var shifted = source.Select(s => s with { At = at.AddSeconds(s.At.Second) }).ToList();
                await store.AddActivityRunAsync("week", new ActivityRun(shifted, m == 0 ? keys.ToDictionary(k => k.Value, k => k.Key) : new Dictionary<int, SessionKey>(), new Dictionary<long, string>()), CancellationToken.None);
            }

            Console.WriteLine(Invariant($"   a week written in {fill.Elapsed.TotalSeconds:0.0} s"));
            var thin = Stopwatch.StartNew();
            await store.DownsampleActivityAsync(week.AddDays(6), 10, CancellationToken.None);
            Console.WriteLine(Invariant($"   six days thinned to one sample a minute in {thin.Elapsed.TotalSeconds:0.0} s ({thin.Elapsed.TotalMilliseconds / (6 * 24):0} ms an hour of samples)"));
            Checkpoint(path);

            var latencies = new List<double>();
            var spans = new List<double>();
            var asked = new Random(7);
            for (var q = 0; q < 200; q++)
            {
                var at = week.AddSeconds(asked.Next(0, 7 * 86400 - 600));
                var stopwatch = Stopwatch.StartNew();
                var moment = await HistoryQueries.MomentAsync(store, "week", at, null, HistoryQueries.Tolerance(TimeSpan.FromSeconds(1)), null, CancellationToken.None);
                latencies.Add(stopwatch.Elapsed.TotalMilliseconds);
                if (moment is null || moment.Holders.Count == 0)
                {
                    throw new InvalidOperationException($"no answer at {at:O}");
                }

                stopwatch.Restart();
                await HistoryQueries.MomentAsync(store, "week", at, TimeSpan.FromMinutes(5), HistoryQueries.Tolerance(TimeSpan.FromSeconds(1)), null, CancellationToken.None);
                spans.Add(stopwatch.Elapsed.TotalMilliseconds);
            }

            Console.WriteLine(Invariant($"3. \"what was happening at T\" over 7 days ({Used(path) / (1024.0 * 1024):0.0} MiB in use, {Size(path) / (1024.0 * 1024):0.0} MiB file: 1 day at 1 s, 6 thinned): median {Median(latencies):0.00} ms, p95 {Percentile(latencies, 0.95):0.00} ms, max {latencies.Max():0.00} ms; with --for 5m median {Median(spans):0.00} ms, p95 {Percentile(spans, 0.95):0.00} ms, max {spans.Max():0.00} ms (200 moments)"));
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}
finally
{
    foreach (var connection in held)
    {
        await connection.DisposeAsync();
    }

    Directory.Delete(directory, recursive: true);
}

return 0;

// 50 sessions each run a statement between two samples: another shape, other values, some left in a transaction.
static async Task WorkAsync(List<NpgsqlConnection> held, string[] shapes, Random random)
{
    for (var i = 0; i < Working; i++)
    {
        var index = 1 + random.Next(held.Count - 1);
        if (index % 10 == 0)
        {
            continue;
        }

        var sql = string.Format(CultureInfo.InvariantCulture, shapes[random.Next(shapes.Length)], random.Next(1, 100_000));
        await Run(held[index], random.Next(8) == 0 ? $"ROLLBACK; BEGIN; {sql}" : $"ROLLBACK; {sql}");
    }
}

static async Task Run(NpgsqlConnection connection, string sql)
{
    await using var command = new NpgsqlCommand(sql, connection);
    await command.ExecuteNonQueryAsync();
}

static async Task PrintStatementsAsync(PostgresSandbox sandbox)
{
    await using var connection = await PostgresSandbox.OpenAsync(sandbox.SuperuserTarget);
    await using var command = new NpgsqlCommand("SELECT calls, mean_exec_time, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) FROM pg_stat_statements WHERE query NOT LIKE 'ROLLBACK%' AND calls > 1 ORDER BY total_exec_time DESC LIMIT 4", connection);
    await using var reader = await command.ExecuteReaderAsync();
    while (await reader.ReadAsync())
    {
        Console.WriteLine(Invariant($"   {reader.GetInt64(0),6} calls {reader.GetDouble(1),8:0.000} ms  {reader.GetString(2)}"));
    }
}

static async Task<double> ServerTotalMillisecondsAsync(PostgresSandbox sandbox, string like)
{
    await using var connection = await PostgresSandbox.OpenAsync(sandbox.SuperuserTarget);
    await using var command = new NpgsqlCommand("SELECT coalesce(sum(total_exec_time), 0) FROM pg_stat_statements WHERE query LIKE $1", connection);
    command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = like });
    return Convert.ToDouble(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
}

static async Task<double> ServerMillisecondsAsync(PostgresSandbox sandbox, string like)
{
    await using var connection = await PostgresSandbox.OpenAsync(sandbox.SuperuserTarget);
    await using var command = new NpgsqlCommand("SELECT coalesce(sum(total_exec_time) / nullif(sum(calls), 0), 0) FROM pg_stat_statements WHERE query LIKE $1", connection);
    command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = like });
    return Convert.ToDouble(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
}

static void Checkpoint(string path)
{
    using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}");
    connection.Open();
    using var command = connection.CreateCommand();
    command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
    command.ExecuteNonQuery();
}

// Pages in use: the file minus its free list (deleted rows leave free pages that later writes reuse).
static long Used(string path)
{
    using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}");
    connection.Open();
    long Pragma(string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name}";
        return (long)command.ExecuteScalar()!;
    }

    return (Pragma("page_count") - Pragma("freelist_count")) * Pragma("page_size");
}

static long Size(string path) => new FileInfo(path).Length + (File.Exists(path + "-wal") ? new FileInfo(path + "-wal").Length : 0);

static double Median(List<double> values) => Percentile(values, 0.5);

static double Percentile(List<double> values, double rank)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Clamp((int)Math.Ceiling(rank * sorted.Count) - 1, 0, sorted.Count - 1)];
}

static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

/// <summary>
/// The process's CPU time from clock_gettime(CLOCK_PROCESS_CPUTIME_ID), to the nanosecond: /proc's utime and
/// stime (Process.TotalProcessorTime) tick in 10 ms, coarser than one sample.
/// </summary>
internal static partial class ProcessCpu
{
    private const int ClockProcessCpuTimeId = 2;

    public static TimeSpan Now()
    {
        if (ClockGetTime(ClockProcessCpuTimeId, out var time) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
        }

        return TimeSpan.FromTicks((time.Seconds * TimeSpan.TicksPerSecond) + (time.Nanoseconds / 100));
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
