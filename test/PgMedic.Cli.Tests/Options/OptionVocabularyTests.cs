using System.CommandLine;

namespace PgMedic.Cli.Tests.Options;

/// <summary>One vocabulary across the verbs: psql's connection letters, check's -w/-c, one name per concept.</summary>
public sealed class OptionVocabularyTests
{
    private static readonly string[] NotConnecting = ["sandbox", "demo", "logs", "pools", "serve", "export", "slo", "history"];

    [Fact]
    public void ConnectingVerbs_PsqlLetters_AndNoOtherMeaningForCheckLetters()
    {
        var problems = new List<string>();
        foreach (var (path, command) in Leaves(Root(), string.Empty))
        {
            var spellings = command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Append(o.Name)).ToHashSet(StringComparer.Ordinal);
            if (NotConnecting.Contains(path.Split(' ')[0]))
            {
                continue;
            }

            problems.AddRange(new[] { "-h", "-p", "-U", "-d", "--host", "--port", "--username", "--dbname" }.Where(s => !spellings.Contains(s)).Select(s => $"{path} lacks {s}"));
            if (!path.StartsWith("check ", StringComparison.Ordinal))
            {
                problems.AddRange(new[] { "-w", "-c", "-n" }.Where(spellings.Contains).Select(s => $"{path} gives {s} a meaning of its own"));
            }

            problems.AddRange(new[] { "--database", "--min-age", "-u", "-m" }.Where(spellings.Contains).Select(s => $"{path} still offers {s}"));
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void OneNamePerConcept_TimeInStateAndFilterDatabase()
    {
        var idleFor = Leaves(Root(), string.Empty)
            .SelectMany(l => l.Command.Options.Where(o => !o.Hidden && o.Description?.Contains("state at least this long", StringComparison.Ordinal) == true).Select(o => (l.Path, o)))
            .ToList();

        Assert.Contains(idleFor, x => x.Path == "activity");
        Assert.Contains(idleFor, x => x.Path == "terminate");
        Assert.All(idleFor, x => Assert.Equal(("--idle-for", "-i"), (x.o.Name, x.o.Aliases.Single())));
    }

    private static RootCommand Root() =>
        CliApp.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, _ => null, null, IsTerminal: false, TimeProvider.System));

    private static IEnumerable<(string Path, Command Command)> Leaves(Command command, string prefix)
    {
        foreach (var sub in command.Subcommands)
        {
            var path = (prefix + " " + sub.Name).Trim();
            if (sub.Subcommands.Count == 0)
            {
                yield return (path, sub);
            }

            foreach (var leaf in Leaves(sub, path))
            {
                yield return leaf;
            }
        }
    }
}
