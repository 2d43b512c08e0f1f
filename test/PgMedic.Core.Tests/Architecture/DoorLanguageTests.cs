using System.Text.RegularExpressions;
using PgMedic.Testing;

namespace PgMedic.Core.Tests.Architecture;

/// <summary>Core speaks no door's language: no string in it spells a command-line flag or a pgmedic command line.</summary>
public sealed partial class DoorLanguageTests
{
    [Fact]
    public void CoreStrings_NoFlagSpellingNorCommandLine()
    {
        var core = Path.Combine(BuildOutput.RepositoryRoot(), "src", "PgMedic.Core");
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(core, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].TrimStart().StartsWith("//", StringComparison.Ordinal))
                {
                    continue;
                }

                offenders.AddRange(Literal().Matches(lines[i]).Select(m => m.Value).Where(Offends).Select(text => $"{Path.GetRelativePath(core, file)}:{i + 1}: {text}"));
            }
        }

        Assert.True(offenders.Count == 0, "Core holds door words (render them in the door instead):\n" + string.Join('\n', offenders));
    }

    [Theory]
    [InlineData("\"use --include-superusers\"", true)]
    [InlineData("\"run 'pgmedic diagnose' as a superuser\"", true)]
    [InlineData("$\"pgmedic terminate {x}\"", true)]
    [InlineData("\"diagnose as a superuser\"", false)]
    [InlineData("\"pgmedic advise: 4 worker(s)\"", false)]
    [InlineData("\"pgmedic \"", false)]
    public void Offends_Samples_AsExpected(string literal, bool expected) => Assert.Equal(expected, Offends(literal));

    [Fact]
    public void Literal_CodeLine_FindsEachString() =>
        Assert.Equal(["\"a --b\"", "$\"c {d}\""], Literal().Matches("Call(\"a --b\", $\"c {d}\");").Select(m => m.Value));

    private static bool Offends(string literal) => Flag().IsMatch(literal) || CommandLine().IsMatch(literal);

    [GeneratedRegex(@"\$?""(?:[^""\\\n]|\\.)*""")]
    private static partial Regex Literal();

    [GeneratedRegex(@"(?<![\w-])--[a-z][a-z-]+")]
    private static partial Regex Flag();

    [GeneratedRegex(@"\bpgmedic (probe|diagnose|check|activity|top|slow-queries|logs|terminate|cancel|heal|emergency|report|export|sandbox|demo|serve|advise|pools)\b(?!:)")]
    private static partial Regex CommandLine();
}
