using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PgMedic.Testing;

/// <summary>
/// The reliability suite's table (docs/reliability.md). Each suite writes its own section to
/// <c>artifacts/reliability/&lt;section&gt;.md</c>, each fault test its rows to
/// <c>artifacts/reliability/faults/</c>, each with how long its test took; the whole table is rebuilt into
/// the untracked <c>artifacts/reliability.md</c> after every write (test projects run in parallel, so
/// every part is its own file and the rebuild holds a lock). test.sh clears the folder before a run, so
/// the table holds that run only; <c>scripts/reliability-doc.sh</c> copies it into the docs unchanged.
/// </summary>
public static partial class ReliabilityRecord
{
    private const string FaultsSection = "3-faults";

    private static readonly string Root = Path.Combine(BuildOutput.RepositoryRoot(), "artifacts");

    private static string Folder => Path.Combine(Root, "reliability");

    /// <summary>Writes one suite's section; <paramref name="duration"/> is how long the tests behind it ran.</summary>
    public static void Write(string section, string markdown, TimeSpan duration, string test)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(markdown);
        Directory.CreateDirectory(Folder);
        File.WriteAllText(Path.Combine(Folder, section + ".md"), markdown.TrimEnd() + "\n");
        WriteTime(section, test, duration);
        Rebuild();
    }

    /// <summary>One fault's row: what was done, what was measured (time, outcome), and the test that did it.</summary>
    public static void Fault(string fault, string result, string test, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(fault);
        var rows = Path.Combine(Folder, "faults");
        Directory.CreateDirectory(rows);
        var name = Slug(fault);
        File.WriteAllText(Path.Combine(rows, name + ".md"), $"| {fault} | {result} | `{test}` |\n");
        WriteTime("fault-" + name, test, duration);
        Rebuild();
    }

    private static void WriteTime(string key, string test, TimeSpan duration)
    {
        var times = Path.Combine(Folder, "times");
        Directory.CreateDirectory(times);
        File.WriteAllText(Path.Combine(times, Slug(key) + ".tsv"), string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.0}\t{test}\n"));
    }

    private static void Rebuild()
    {
        using var rebuild = Lock(Path.Combine(Folder, ".lock"));
        var table = new StringBuilder();
        table.Append("# Reliability: what the suite tried and what it found\n\n")
            .Append("Written by the reliability tests (`test/*/Reliability/` and the fault tests they name) on every `test.sh` run into the\n")
            .Append("untracked `artifacts/reliability.md` (test.sh clears it first, so it is that run's); `scripts/reliability-doc.sh`\n")
            .Append("copies it here unchanged. A section missing below was not run.\n");
        var written = Directory.GetFiles(Folder, "*.md").Select(Path.GetFileNameWithoutExtension).OfType<string>().ToHashSet(StringComparer.Ordinal);
        if (Directory.Exists(Path.Combine(Folder, "faults")))
        {
            written.Add(FaultsSection);
        }

        foreach (var section in written.Order(StringComparer.Ordinal))
        {
            table.Append('\n').Append(section == FaultsSection ? Faults() : File.ReadAllText(Path.Combine(Folder, section + ".md")));
        }

        table.Append('\n').Append(RunningTime());
        File.WriteAllText(Path.Combine(Root, "reliability.md"), table.ToString());
    }

    private static string Faults()
    {
        var rows = Directory.GetFiles(Path.Combine(Folder, "faults"), "*.md").Order(StringComparer.Ordinal).Select(File.ReadAllText);
        return "## Faults with real processes\n\n"
            + "Each row is measured by its test on this run: the command's own time from start to exit (process start included) and what it said.\n\n"
            + "| fault | measured result | test |\n|---|---|---|\n"
            + string.Concat(rows);
    }

    private static string RunningTime()
    {
        var times = Directory.Exists(Path.Combine(Folder, "times"))
            ? Directory.GetFiles(Path.Combine(Folder, "times"), "*.tsv").Select(f => File.ReadAllText(f).TrimEnd().Split('\t', 2)).ToList()
            : [];
        var byTest = times.GroupBy(t => t[1], StringComparer.Ordinal)
            .Select(g => (Test: g.Key, Seconds: g.Select(t => double.Parse(t[0], CultureInfo.InvariantCulture)).Max()))
            .OrderByDescending(t => t.Seconds)
            .ToList();
        var total = byTest.Sum(t => t.Seconds);
        return "## Running time\n\n"
            + string.Create(CultureInfo.InvariantCulture, $"The reliability tests above took {total:0} s in all ({total / 60:0.0} min), summed over {byTest.Count} tests; test.sh runs the test projects in parallel, so the wall-clock time they add is less. The property tests are not in this sum (each property runs in under 2 s).\n\n")
            + "| test | seconds |\n|---|---|\n"
            + string.Concat(byTest.Select(t => string.Create(CultureInfo.InvariantCulture, $"| `{t.Test}` | {t.Seconds:0.0} |\n")));
    }

    private static string Slug(string text) => NotSlug().Replace(text.ToLowerInvariant(), "-").Trim('-') is var slug && slug.Length > 90 ? slug[..90] : slug;

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotSlug();

    private static FileStream Lock(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 200)
            {
                Thread.Sleep(50);
            }
        }
    }
}
