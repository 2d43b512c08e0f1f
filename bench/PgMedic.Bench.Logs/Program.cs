using System.Diagnostics;
using System.Globalization;
using System.Text;
using PgMedic.Core.Logs;

// Generates a log file (1 GB by default; first argument = size in MB), streams it through
// pgmedic's LogAnalyzer three times and `grep -c -i -F` with the same needles three times, and
// prints medians, MB/s, the ratio and the process's peak working set. The file is deleted after.
var megabytes = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1024;
var directory = Directory.CreateTempSubdirectory("pgmedic-bench-logs-");
var path = Path.Combine(directory.FullName, "postgresql.log");
try
{
    var generated = Stopwatch.StartNew();
    var (bytes, lines, expectedHits) = Generate(path, megabytes * 1024L * 1024L);
    Console.WriteLine(Invariant($"generated {bytes / 1048576.0:0} MB, {lines:N0} lines, {expectedHits:N0} trouble lines in {generated.Elapsed.TotalSeconds:0.0} s: {path}"));

    var ours = new List<double>();
    long hits = 0;
    for (var run = 0; run < 3; run++)
    {
        var stopwatch = Stopwatch.StartNew();
        var analyzer = new LogAnalyzer(TimeProvider.System);
        using (var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan), Encoding.UTF8, false, 1 << 16))
        {
            await analyzer.AddAsync(reader, path, CancellationToken.None);
        }

        var report = analyzer.Report();
        hits = report.Hits;
        ours.Add(stopwatch.Elapsed.TotalSeconds);
        Console.WriteLine(Invariant($"pgmedic logs run {run + 1}: {stopwatch.Elapsed.TotalSeconds:0.00} s, {bytes / 1048576.0 / stopwatch.Elapsed.TotalSeconds:0} MB/s, {report.Hits:N0} hits in {report.Kinds.Count} kinds, {report.PerMinute.Count} minutes"));
    }

    using var self = Process.GetCurrentProcess();
    self.Refresh();
    var peakMb = self.PeakWorkingSet64 / 1048576.0;

    var grep = new List<double>();
    string grepCount = "?";
    for (var run = 0; run < 3; run++)
    {
        var info = new ProcessStartInfo("grep") { RedirectStandardOutput = true, UseShellExecute = false };
        info.Environment["LC_ALL"] = "C";
        foreach (var arg in new[] { "-c", "-i", "-F" })
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var needle in LogKinds.All.SelectMany(k => k.Needles))
        {
            info.ArgumentList.Add("-e");
            info.ArgumentList.Add(needle);
        }

        info.ArgumentList.Add(path);
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        grepCount = (await process.StandardOutput.ReadToEndAsync()).Trim();
        await process.WaitForExitAsync();
        grep.Add(stopwatch.Elapsed.TotalSeconds);
        Console.WriteLine(Invariant($"grep -c -i -F run {run + 1}: {stopwatch.Elapsed.TotalSeconds:0.00} s, {bytes / 1048576.0 / stopwatch.Elapsed.TotalSeconds:0} MB/s, {grepCount} matching lines"));
    }

    var oursMedian = Median(ours);
    var grepMedian = Median(grep);
    Console.WriteLine();
    Console.WriteLine(Invariant($"| tool | median of 3 | throughput | peak working set | lines found |"));
    Console.WriteLine(Invariant($"|---|---:|---:|---:|---:|"));
    Console.WriteLine(Invariant($"| pgmedic logs (LogAnalyzer) | {oursMedian:0.00} s | {bytes / 1048576.0 / oursMedian:0} MB/s | {peakMb:0} MB (whole process) | {hits:N0} |"));
    Console.WriteLine(Invariant($"| grep -c -i -F (same needles) | {grepMedian:0.00} s | {bytes / 1048576.0 / grepMedian:0} MB/s | - | {grepCount} |"));
    Console.WriteLine(Invariant($"ratio pgmedic/grep: {oursMedian / grepMedian:0.00}× the time; expected trouble lines {expectedHits:N0}"));
}
finally
{
    directory.Delete(recursive: true);
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

// PostgreSQL stderr with the sandbox's prefix: mostly ordinary lines, one in a thousand trouble.
static (long Bytes, long Lines, long Hits) Generate(string path, long target)
{
    string[] noise =
    [
        "LOG:  connection received: host=10.0.3.17 port=51234",
        "LOG:  connection authorized: user=app database=shop application_name=checkout-api",
        "LOG:  duration: 12.345 ms  statement: SELECT id, total, status FROM orders WHERE customer_id = 4711 ORDER BY created_at DESC LIMIT 20",
        "LOG:  disconnection: session time: 0:00:01.234 user=app database=shop host=10.0.3.17 port=51234",
        "LOG:  checkpoint starting: time",
        "LOG:  automatic vacuum of table \"shop.public.orders\": index scans: 1",
    ];
    string[] trouble =
    [
        "FATAL:  sorry, too many clients already",
        "FATAL:  remaining connection slots are reserved for non-replication superuser connections",
        "FATAL:  terminating connection due to idle-in-transaction timeout",
        "LOG:  could not receive data from client: Connection reset by peer",
        "FATAL:  password authentication failed for user \"app\"",
    ];
    var start = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);
    long bytes = 0, lines = 0, hits = 0;
    using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
    var line = new StringBuilder(256);
    while (bytes < target)
    {
        var time = start.AddMilliseconds(lines * 3);
        line.Clear();
        line.Append(time.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)).Append(" UTC [").Append(1000 + (lines % 5000)).Append("] app@shop ");
        if (lines % 1000 == 999)
        {
            line.Append(trouble[(int)(lines / 1000 % trouble.Length)]);
            hits++;
        }
        else
        {
            line.Append(noise[(int)(lines % noise.Length)]);
        }

        writer.Write(line);
        writer.Write('\n');
        bytes += line.Length + 1;
        lines++;
    }

    return (bytes, lines, hits);
}
