using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Reliability;

/// <summary>
/// Every malformed input in bad-input.tsv against the real binary: the expected exit code, exactly one
/// line on stderr matching the row's pattern, nothing on stdout, never a .NET trace. The rows run once,
/// in parallel, in <see cref="BadInputCorpus"/>; each theory case asserts its own row.
/// </summary>
public sealed class BadInputCorpusTests(BadInputCorpus corpus) : IClassFixture<BadInputCorpus>
{
    public static TheoryData<int> Rows() => new(Enumerable.Range(0, BadInputCorpus.Load().Count));

    [Fact]
    public void Corpus_HoldsAtLeast200Inputs_AcrossTheVerbs()
    {
        var rows = BadInputCorpus.Load();
        Assert.True(rows.Count >= 200, $"{rows.Count} rows");
        var verbs = rows.Select(r => r.Args[0]).Distinct().ToList();
        Assert.True(verbs.Count >= 15, string.Join(", ", verbs));
        Assert.Contains(rows, r => r.Environment.Count > 0);
        Assert.Contains(rows, r => r.File is not null && r.Args.Contains("serve"));
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Row_OneLineOnStderr_ExpectedExit_NoTrace(int index)
    {
        var (row, result) = corpus.Result(index);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var what = $"line {row.Line}: pgmedic {string.Join(' ', row.Args)} → exit {result.ExitCode}, stderr: {result.Error}, stdout: {result.Out}";

        Assert.False(result.TimedOut, what);
        Assert.DoesNotContain("   at ", result.Error + result.Out, StringComparison.Ordinal);
        Assert.Equal(row.ExitCode, result.ExitCode);
        Assert.True(lines.Length == 1, what);
        Assert.Matches(row.Pattern, lines[0]);
        Assert.Empty(result.Out.Trim());
    }
}

/// <summary>One malformed input: the command line, its environment and file, and what must come of it.</summary>
public sealed record BadInput(int Line, int ExitCode, Regex Pattern, IReadOnlyDictionary<string, string> Environment, string? File, IReadOnlyList<string> Args);

public sealed record BadInputResult(int ExitCode, string Out, string Error, bool TimedOut);

/// <summary>Runs the whole corpus once, four processes at a time, and records its size and pass count.</summary>
public sealed class BadInputCorpus : IDisposable
{
    private static readonly TimeSpan PerRow = TimeSpan.FromSeconds(30);
    private readonly string _directory = Directory.CreateTempSubdirectory("pgmedic-corpus-").FullName;
    private readonly Lazy<IReadOnlyList<BadInputResult>> _results;
    private readonly ConcurrentDictionary<int, bool> _passed = new();
    private TimeSpan _ran;

    public BadInputCorpus() => _results = new(RunAll);

    public static string DataFile => Path.Combine(BuildOutput.RepositoryRoot(), "test", "PgMedic.Cli.Tests", "Reliability", "bad-input.tsv");

    public static IReadOnlyList<BadInput> Load() =>
        File.ReadAllLines(DataFile)
            .Select((text, i) => (Text: text, Line: i + 1))
            .Where(l => l.Text.Length > 0 && !l.Text.StartsWith('#'))
            .Select(l =>
            {
                var cells = l.Text.Split('\t');
                var environment = cells[2] == "-" ? new Dictionary<string, string>()
                    : cells[2].Split(';').Select(kv => kv.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
                return new BadInput(l.Line, int.Parse(cells[0], System.Globalization.CultureInfo.InvariantCulture), new Regex(cells[1]), environment, cells[3] == "-" ? null : cells[3].Replace("\\n", "\n", StringComparison.Ordinal), cells[4..]);
            })
            .ToList();

    public (BadInput Row, BadInputResult Result) Result(int index)
    {
        var row = Load()[index];
        var result = _results.Value[index];
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        _passed[index] = !result.TimedOut && result.ExitCode == row.ExitCode && lines.Length == 1 && row.Pattern.IsMatch(lines[0])
            && !(result.Error + result.Out).Contains("   at ", StringComparison.Ordinal) && result.Out.Trim().Length == 0;
        return (row, result);
    }

    public void Dispose()
    {
        if (_results.IsValueCreated)
        {
            var rows = Load();
            ReliabilityRecord.Write("2-bad-input", $"""
                ## Bad-input corpus

                | inputs (`test/PgMedic.Cli.Tests/Reliability/bad-input.tsv`) | verbs | passed | failed |
                |---|---|---|---|
                | {rows.Count} | {rows.Select(r => r.Args[0]).Distinct().Count()} | {_passed.Count(p => p.Value)} | {rows.Count - _passed.Count(p => p.Value)} |

                Each row: the expected exit code, exactly one line on stderr matching its pattern, nothing on stdout, no `   at ` trace.
                """, _ran, "BadInputCorpusTests (the corpus, four processes at a time)");
        }

        Directory.Delete(_directory, recursive: true);
    }

    private IReadOnlyList<BadInputResult> RunAll()
    {
        var rows = Load();
        var results = new BadInputResult[rows.Count];
        var stopwatch = Stopwatch.StartNew();
        Parallel.For(0, rows.Count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => results[i] = Run(rows[i], i));
        _ran = stopwatch.Elapsed;
        return results;
    }

    private BadInputResult Run(BadInput row, int index)
    {
        var directory = Path.Combine(_directory, index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, "input.json");
        if (row.File is not null)
        {
            File.WriteAllText(file, row.File.Replace("{DIR}", directory, StringComparison.Ordinal));
        }

        string Fill(string text) => text.Replace("{FILE}", file, StringComparison.Ordinal)
            .Replace("{DIR}", directory, StringComparison.Ordinal)
            .Replace("{MISSING}", Path.Combine(directory, "missing"), StringComparison.Ordinal);

        var command = BuildOutput.CliCommand;
        var info = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,

            // A row the binary accepts (serve, with its relative default history file) writes into its own folder, never the repository.
            WorkingDirectory = directory,
        };
        foreach (var arg in command.Skip(1).Concat(row.Args.Select(Fill)))
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var name in new[] { "DATABASE_URL", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD", "PGPASSFILE", "PGSSLMODE", "PGCONNECT_TIMEOUT" })
        {
            info.Environment.Remove(name);
        }

        info.Environment["HOME"] = directory;
        foreach (var (key, value) in row.Environment)
        {
            info.Environment[key] = Fill(value);
        }

        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(PerRow))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return new BadInputResult(-1, output.Result, error.Result, TimedOut: true);
        }

        return new BadInputResult(process.ExitCode, output.Result, error.Result, TimedOut: false);
    }
}
