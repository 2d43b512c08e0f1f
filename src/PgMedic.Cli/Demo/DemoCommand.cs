using System.CommandLine;
using PgMedic.Cli.Common;
using PgMedic.Demo;

namespace PgMedic.Cli.Demo;

/// <summary>
/// <c>pgmedic demo</c>: a real connection incident on a sandbox it starts itself — detected, diagnosed,
/// healed, verified and written up — then everything it started is stopped.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(CliContext context)
    {
        var scenario = new Option<DemoScenario>("--scenario")
        {
            Description = "The incident to stage (default leak)",
            HelpName = "leak|idle-in-transaction|lock-chain|server-down",
            DefaultValueFactory = _ => DemoScenario.Leak,
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
                if (Enum.TryParse<DemoScenario>(text.Replace("-", string.Empty, StringComparison.Ordinal), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !char.IsAsciiDigit(text.FirstOrDefault()))
                {
                    return parsed;
                }

                result.AddError($"--scenario '{text}' is not one of leak, idle-in-transaction, lock-chain, server-down");
                return DemoScenario.Leak;
            },
        };
        var keep = new Option<bool>("--keep") { Description = "Leave the sandbox running at the end (until Ctrl+C) to explore it with the other commands" };
        var reportFile = new Option<string>("--report-file")
        {
            Description = "Where to write the incident report (default pgmedic-demo-report.md)",
            HelpName = "file",
            DefaultValueFactory = _ => "pgmedic-demo-report.md",
        };
        var command = new Command("demo", "Stage a real connection incident on a sandbox PostgreSQL (a leaking service by default), and watch PgMedic detect, diagnose, heal, verify and write it up. Unattended; about ten seconds.")
        {
            scenario, keep, reportFile,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var path = parseResult.GetValue(reportFile)!;
            if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory && !Directory.Exists(directory))
            {
                throw new UsageException($"--report-file '{path}': the folder '{directory}' does not exist");
            }

            return new DemoRunner(new CliDemoHost(context), parseResult.GetValue(scenario), parseResult.GetValue(keep), Path.GetFullPath(path)).RunAsync(cancellationToken);
        });
        return command;
    }
}
