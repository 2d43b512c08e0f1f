using System.CommandLine;
using System.Text.RegularExpressions;

namespace PgMedic.Cli.Tests.Options;

/// <summary>Every verb's and sub-verb's help, as -? and --help print it, read the way a user reads it.</summary>
public sealed partial class HelpTextTests
{
    public static TheoryData<string, string> EveryCommandAndHelpSpelling()
    {
        var data = new TheoryData<string, string>();
        foreach (var path in CommandPaths(Root()))
        {
            data.Add(path, "--help");
            data.Add(path, "-?");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryCommandAndHelpSpelling))]
    public async Task Help_EveryCommand_SpeaksTheUsersWords(string path, string spelling)
    {
        var run = await CliRun.InvokeAsync([.. Words(path), spelling]);

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Empty(run.Error);
        Assert.Contains($"Usage:\n  pgmedic {path}".TrimEnd(), run.Out, StringComparison.Ordinal);
        var problems = new List<string>();
        foreach (Match match in DotNetTypeName().Matches(run.Out))
        {
            problems.Add($"a .NET type name: {match.Value}");
        }

        foreach (Match match in TimeSpanText().Matches(run.Out))
        {
            problems.Add($"TimeSpan text: {match.Value}");
        }

        foreach (Match match in RecordToString().Matches(run.Out))
        {
            problems.Add($"a record's ToString: {match.Value}");
        }

        // As a value list or a default, not as a product name in prose (PgBouncer, Npgsql).
        foreach (var name in PascalCaseEnumValues(Find(path)).Where(n => Regex.IsMatch(run.Out, $@"<[^>]*\b{n}\b[^>]*>|default:? {n}\b")))
        {
            problems.Add($"the enum value {name} as .NET spells it");
        }

        foreach (var reference in CrossReferences(run.Out).Where(r => !CommandPaths(Root()).Contains(r)))
        {
            problems.Add($"'pgmedic {reference}', which is not a command");
        }

        Assert.True(problems.Count == 0, $"pgmedic {path} {spelling}:\n{string.Join('\n', problems)}\n\n{run.Out}");
    }

    [Theory]
    [InlineData("probe")]
    [InlineData("diagnose")]
    [InlineData("check connections")]
    [InlineData("check blocking")]
    [InlineData("activity")]
    [InlineData("terminate")]
    [InlineData("emergency")]
    [InlineData("advise")]
    [InlineData("report")]
    public async Task Help_ConnectingVerb_ListsPsqlsConnectionOptionsAndHelpAsQuestionMark(string path)
    {
        var run = await CliRun.InvokeAsync([.. Words(path), "-?"]);

        var connection = run.Out[run.Out.IndexOf("Connection options:", StringComparison.Ordinal)..];
        Assert.Contains("-h, --host <host>", connection, StringComparison.Ordinal);
        Assert.Contains("-p, --port <port>", connection, StringComparison.Ordinal);
        Assert.Contains("-U, --username <user>", connection, StringComparison.Ordinal);
        Assert.Contains("-d, --dbname <database>", connection, StringComparison.Ordinal);
        Assert.Contains("-?, --help", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_Defaults_PrintAsTyped()
    {
        var probe = await CliRun.InvokeAsync("probe", "--help");
        var check = await CliRun.InvokeAsync("check", "connections", "--help");
        var demo = await CliRun.InvokeAsync("demo", "--help");

        Assert.Contains("default 5s", probe.Out, StringComparison.Ordinal);
        Assert.Contains("-f, --format <table|json|markdown>", probe.Out, StringComparison.Ordinal);
        Assert.Contains("(default 80%)", check.Out, StringComparison.Ordinal);
        Assert.Contains("--scenario <leak|idle-in-transaction|lock-chain|server-down>", demo.Out, StringComparison.Ordinal);
    }

    private static RootCommand Root() =>
        CliApp.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, _ => null, null, IsTerminal: false, TimeProvider.System));

    /// <summary>"" for the root, then "probe", "check", "check connections", …</summary>
    private static List<string> CommandPaths(Command command, string prefix = "")
    {
        var paths = new List<string> { prefix };
        foreach (var sub in command.Subcommands.Where(c => !c.Hidden))
        {
            paths.AddRange(CommandPaths(sub, (prefix + " " + sub.Name).Trim()));
        }

        return paths;
    }

    private static Command Find(string path) =>
        Words(path).Aggregate((Command)Root(), (command, word) => command.Subcommands.Single(c => c.Name == word));

    private static string[] Words(string path) => path.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static IEnumerable<string> PascalCaseEnumValues(Command command) =>
        command.Options
            .Select(o => Nullable.GetUnderlyingType(o.ValueType) ?? o.ValueType)
            .Where(t => t.IsEnum)
            .SelectMany(Enum.GetNames)
            .Where(n => n.Any(char.IsUpper))
            .Distinct();

    /// <summary>"pgmedic X" and, when X has sub-verbs, "pgmedic X Y", as named in the text.</summary>
    private static IEnumerable<string> CrossReferences(string text)
    {
        var root = Root();
        foreach (Match match in CommandReference().Matches(text))
        {
            var verb = match.Groups["verb"].Value;
            var sub = match.Groups["sub"].Value;
            var command = root.Subcommands.FirstOrDefault(c => c.Name == verb);
            yield return command is { Subcommands.Count: > 0 } && sub.Length > 0 ? $"{verb} {sub}" : verb;
        }
    }

    [GeneratedRegex(@"System\.[A-Z]\w*|`\d\[")]
    private static partial Regex DotNetTypeName();

    [GeneratedRegex(@"\d\d:\d\d:\d\d")]
    private static partial Regex TimeSpanText();

    [GeneratedRegex(@"\w+ \{ \w+ = ")]
    private static partial Regex RecordToString();

    [GeneratedRegex(@"\bpgmedic (?<verb>[a-z][a-z-]*)(?: (?<sub>[a-z][a-z-]*))?")]
    private static partial Regex CommandReference();
}
