using System.Text.RegularExpressions;
using System.Xml.Linq;
using PgMedic.Testing;

namespace PgMedic.Core.Tests.Architecture;

/// <summary>docs/architecture.md states which project may reference which; every .csproj is held to it.</summary>
public sealed partial class ArchitectureTests
{
    [Fact]
    public void ProjectReferences_EveryCsproj_OnlyWhatDocsArchitectureAllows()
    {
        var allowed = AllowedReferences(File.ReadAllText(Path.Combine(BuildOutput.RepositoryRoot(), "docs", "architecture.md")));
        var violations = new List<string>();

        foreach (var (project, references) in ProjectReferences(BuildOutput.RepositoryRoot()))
        {
            if (!allowed.TryGetValue(project, out var mayReference))
            {
                violations.Add($"{project} is not in docs/architecture.md's table: add its row");
                continue;
            }

            violations.AddRange(references.Where(r => !mayReference.Contains(r)).Select(r => $"{project} references {r}, which docs/architecture.md does not allow"));
        }

        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Fact]
    public void AllowedReferences_TableRows_ReadAsWritten()
    {
        var allowed = AllowedReferences("""
            <!-- architecture:begin -->
            | project | may reference | why |
            |---|---|---|
            | A | none | base |
            | B | A, C | top |
            <!-- architecture:end -->
            """);

        Assert.Empty(allowed["A"]);
        Assert.Equal(["A", "C"], allowed["B"].Order());
    }

    /// <summary>Project name → the project names it may reference, from the table between the architecture markers.</summary>
    internal static Dictionary<string, HashSet<string>> AllowedReferences(string markdown)
    {
        var start = markdown.IndexOf("<!-- architecture:begin", StringComparison.Ordinal);
        var end = markdown.IndexOf("<!-- architecture:end", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "docs/architecture.md lost its architecture:begin/end markers");
        var rules = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (Match row in Row().Matches(markdown[start..end]))
        {
            var project = row.Groups["project"].Value.Trim();
            if (project is "project" || project.StartsWith("---", StringComparison.Ordinal))
            {
                continue;
            }

            var references = row.Groups["references"].Value.Trim();
            rules[project] = references is "none"
                ? []
                : references.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        }

        return rules;
    }

    private static IEnumerable<(string Project, IReadOnlyList<string> References)> ProjectReferences(string root)
    {
        foreach (var folder in new[] { "src", "test", "samples", "bench" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, folder), "*.csproj", SearchOption.AllDirectories)
                         .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj")))
            {
                var references = XDocument.Load(file).Descendants("ProjectReference")
                    .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))
                    .ToList();
                yield return (Path.GetFileNameWithoutExtension(file), references);
            }
        }
    }

    [GeneratedRegex(@"(?m)^\|(?<project>[^|\n]+)\|(?<references>[^|\n]+)\|")]
    private static partial Regex Row();
}
