using System.Text.RegularExpressions;
using PgMedic.Testing;

namespace PgMedic.Core.Tests.Architecture;

/// <summary>What PgMedic writes goes through its JSON dialect (docs/json.md): a context's generated Default escapes <c>'</c> as <c>\u0027</c>.</summary>
public sealed partial class JsonDialectUseTests
{
    [Fact]
    public void Sources_WritingContexts_UsedOnlyThroughTheirDialect()
    {
        var source = Path.Combine(BuildOutput.RepositoryRoot(), "src");
        var violations = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj"))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(source, f), Line: i + 1, Text: line)))
            .Where(l => DefaultUse().IsMatch(l.Text))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()} — use .Dialect")
            .ToList();

        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [GeneratedRegex(@"\b(Cli|Monitor|Audit)JsonContext\.Default\.")]
    private static partial Regex DefaultUse();
}
