using System.CommandLine;
using PgMedic.Cli.Common;
using PgMedic.Core.Remediation;

namespace PgMedic.Cli.Remediation;

/// <summary><c>pgmedic cancel</c>: cancel queries running too long; the sessions stay connected.</summary>
internal static class CancelCommand
{
    public static Command Create(CliContext context)
    {
        var options = new RemediationOptions();
        var selection = new SelectionOptions();
        var runningFor = CommonOptions.DurationOption("--running-for", "-r", "Only queries running at least this long", TimeSpan.FromMinutes(5));
        var command = new Command("cancel", "Cancel client queries running longer than --running-for (never walsenders, autovacuum or PgMedic; lock waiters only when named with --pid: the chain's head is what to act on). Shows the plan; runs it only with --yes.")
        {
            runningFor,
        };
        options.AddTo(command);
        selection.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var chosen = selection.Read(parseResult) with { State = "active", RunningFor = parseResult.GetValue(runningFor) };
            return await RemediationRun.RunAsync(RemediationVerb.Cancel, r => r with { Selection = chosen }, options, parseResult, context, cancellationToken);
        });
        return command;
    }
}
