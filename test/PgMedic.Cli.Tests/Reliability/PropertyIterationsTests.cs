using System.Text.RegularExpressions;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Reliability;

/// <summary>The property tests' iteration counts (each file's <c>Iterations</c> constant), for the reliability table; none below 1,000.</summary>
public sealed partial class PropertyIterationsTests
{
    [Fact]
    public void PropertyTests_EachDeclaresItsIterations_AtLeast1000()
    {
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var files = Directory.GetFiles(Path.Combine(BuildOutput.RepositoryRoot(), "test"), "*PropertyTests.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(f => (File: Path.GetRelativePath(BuildOutput.RepositoryRoot(), f), Match: Iterations().Match(File.ReadAllText(f))))
            .ToList();

        Assert.NotEmpty(files);
        Assert.All(files, f => Assert.True(f.Match.Success, $"{f.File} declares no Iterations constant"));
        var counts = files.Select(f => (f.File, Count: int.Parse(f.Match.Groups[1].Value.Replace("_", string.Empty, StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture))).ToList();
        ReliabilityRecord.Write("6-properties", $"""
            ## Property tests (CsCheck)

            | file | iterations per property |
            |---|---|
            {string.Join("\n", counts.Select(c => $"| `{c.File}` | {c.Count:N0} |"))}
            """, stopwatch.Elapsed, "PropertyIterationsTests.PropertyTests_EachDeclaresItsIterations_AtLeast1000");
        Assert.All(counts, c => Assert.True(c.Count >= 1000, $"{c.File}: {c.Count}"));
    }

    [GeneratedRegex(@"const int Iterations = ([0-9_]+);")]
    private static partial Regex Iterations();
}
