using System.CommandLine;
using PgMedic.Cli.Common;
using PgMedic.Core.Remediation;
using PgMedic.Postgres.Remediation;

namespace PgMedic.Cli.Remediation;

/// <summary>
/// <c>pgmedic terminate</c>: runbook steps 1 and 3 (terminate stale idle or idle-in-transaction sessions),
/// and <c>--blocking</c>: the heads of lock chains. Dry run unless <c>--yes</c>.
/// </summary>
internal static class TerminateCommand
{
    public static Command Create(CliContext context)
    {
        var options = new RemediationOptions();
        var selection = new SelectionOptions();
        var state = new Option<string?>("--state", "-s") { Description = "Only sessions in this state", HelpName = "idle|idle-in-transaction|active" };
        var idleFor = CommonOptions.DurationOption("--idle-for", "-i", "Only sessions in that state at least this long", TimeSpan.FromMinutes(5));
        var blocking = new Option<bool>("--blocking") { Description = "Terminate the heads of lock chains (whatever their state)" };
        var waitingFor = CommonOptions.DurationOption("--waiting-for", null, "With --blocking: only chains whose longest waiter waited this long", TimeSpan.FromSeconds(30));
        var cancelFirst = new Option<bool>("--cancel-first") { Description = "Cancel first, wait --grace, and terminate only sessions still in the planned state" };
        var grace = CommonOptions.DurationOption("--grace", "-g", "With --cancel-first: how long to wait between cancel and terminate", TimeSpan.FromSeconds(5));
        var command = new Command("terminate", "Terminate sessions chosen by state and age (runbook steps 1 and 3) or the heads of lock chains (--blocking). Shows the plan; runs it only with --yes. Guardrails spare non-client backends, PgMedic, other databases, superusers and protected roles/applications.")
        {
            state, idleFor, blocking, waitingFor, cancelFirst, grace,
        };
        options.AddTo(command);
        selection.AddTo(command);
        command.Options.Add(CommonOptions.Renamed("-w", "--waiting-for", "-w is kept for check's --warning"));
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var isBlocking = parseResult.GetValue(blocking);
            var stateText = parseResult.GetValue(state);
            if (isBlocking == (stateText is not null))
            {
                throw new UsageException("say which sessions to terminate: --state idle|idle-in-transaction|active (with --idle-for), or --blocking (with --waiting-for)");
            }

            string? normalized;
            try
            {
                normalized = SessionSelection.NormalizeState(stateText);
            }
            catch (ArgumentException ex)
            {
                throw new UsageException("--" + ex.Message);
            }

            var chosen = selection.Read(parseResult) with
            {
                State = normalized,
                InStateFor = isBlocking ? null : parseResult.GetValue(idleFor),
                BlockingWaitingFor = isBlocking ? parseResult.GetValue(waitingFor) : null,
            };
            var execution = new ExecutionOptions(parseResult.GetValue(cancelFirst), parseResult.GetValue(grace));
            return await RemediationRun.RunAsync(RemediationVerb.Terminate, r => r with { Selection = chosen, Execution = execution }, options, parseResult, context, cancellationToken);
        });
        return command;
    }
}
