using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Npgsql;
using PgMedic.Postgres.Sandbox;

// Time from `pgmedic heal --yes` start to verified healthy, on a sandbox where a leaking client holds
// 90 % of usable slots idle; against the runbook's manual fix (psql: pg_terminate_backend over
// pg_stat_activity, then SELECT 1) measured in the same run. Usage: dotnet run -c Release [-- runs]
var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
var root = new DirectoryInfo(AppContext.BaseDirectory);
while (!File.Exists(Path.Combine(root.FullName, "PgMedic.slnx")))
{
    root = root.Parent!;
}

var cli = Path.Combine(root.FullName, "src", "PgMedic.Cli", "bin", "Release", "net10.0", "pgmedic.dll");
var ours = new List<(double Internal, double Wall)>();
var theirs = new List<double>();
for (var run = 0; run < runs; run++)
{
    // 23 − 3 reserved = 20 usable; the leak holds 18 (90 %).
    await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { MaxConnections = 23, SuperuserReservedConnections = 3, CreatePgStatStatements = false });
    var app = await sandbox.CreateRoleAsync("app", "app-pw");
    foreach (var manual in new[] { false, true })
    {
        var leaked = new List<NpgsqlConnection>();
        for (var i = 0; i < 18; i++)
        {
            leaked.Add(await PostgresSandbox.OpenAsync(app, applicationName: "leaky-api"));
        }

        await Task.Delay(1100);
        if (manual)
        {
            var stopwatch = Stopwatch.StartNew();
            await Psql(sandbox, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'postgres' AND pid <> pg_backend_pid() AND state = 'idle' AND state_change < now() - interval '1 second' AND usename = 'app'");
            await Psql(sandbox, "SELECT 1");
            theirs.Add(stopwatch.Elapsed.TotalMilliseconds);
        }
        else
        {
            var audit = Path.Combine(Path.GetTempPath(), $"pgmedic-bench-audit-{Guid.NewGuid():N}.jsonl");
            var stopwatch = Stopwatch.StartNew();
            var output = await Run("dotnet", [cli, "heal", sandbox.SuperuserTarget.ToUrl(), "--idle-for", "1s", "--yes", "--format", "json", "--audit-log", audit], null);
            var wall = stopwatch.Elapsed.TotalMilliseconds;
            File.Delete(audit);
            using var json = JsonDocument.Parse(output);
            var healthy = json.RootElement.GetProperty("steps").EnumerateArray().Any(s => s.TryGetProperty("verification", out var v) && v.ValueKind == JsonValueKind.Object && v.GetProperty("healthy").GetBoolean());
            if (!healthy)
            {
                throw new InvalidOperationException("heal did not reach healthy: " + output);
            }

            ours.Add((json.RootElement.GetProperty("elapsedMilliseconds").GetDouble(), wall));
        }

        foreach (var connection in leaked)
        {
            try
            {
                await connection.DisposeAsync();
            }
            catch (NpgsqlException)
            {
                // Terminated by the heal: nothing to close.
            }
        }
    }
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToList();
    return sorted[sorted.Count / 2];
}

var inside = Median(ours.Select(o => o.Internal));
var wallMedian = Median(ours.Select(o => o.Wall));
var manualMedian = Median(theirs);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"runs {runs}: heal start→verified healthy median {inside:0} ms (whole process incl. .NET start-up {wallMedian:0} ms); runbook psql commands median {manualMedian:0} ms; ratio (process) {wallMedian / manualMedian:0.00}"));
Console.WriteLine("heal (internal ms): " + string.Join(", ", ours.Select(o => o.Internal.ToString("0", CultureInfo.InvariantCulture))));
Console.WriteLine("heal (process ms):  " + string.Join(", ", ours.Select(o => o.Wall.ToString("0", CultureInfo.InvariantCulture))));
Console.WriteLine("psql (ms):          " + string.Join(", ", theirs.Select(t => t.ToString("0", CultureInfo.InvariantCulture))));

static Task<string> Psql(PostgresSandbox sandbox, string sql) =>
    Run("psql", ["-h", "127.0.0.1", "-p", sandbox.Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-d", "postgres", "-At", "-c", sql], sandbox.SuperuserPassword);

static async Task<string> Run(string file, string[] arguments, string? password)
{
    var info = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
    if (password is not null)
    {
        info.Environment["PGPASSWORD"] = password;
    }

    using var process = Process.Start(info)!;
    var output = await process.StandardOutput.ReadToEndAsync();
    await process.WaitForExitAsync();
    return output;
}
