using System.CommandLine;
using PgMedic.Cli.Common;
using PgMedic.Core.Remediation;
using PgMedic.Postgres.Remediation;

namespace PgMedic.Cli.Remediation;

/// <summary>
/// <c>pgmedic heal</c>: diagnose, then the runbook's plan — sessions idle in a transaction, stale idle
/// sessions (step 1), heads of lock chains — run step by step, verifying after each and stopping once
/// the server is healthy. It never restarts anything.
/// </summary>
internal static class HealCommand
{
    public static Command Create(CliContext context)
    {
        var options = new RemediationOptions();
        var platform = new PlatformOptions(emergency: false);
        var defaults = new HealOptions();
        var idleInTransactionFor = CommonOptions.DurationOption("--idle-in-transaction-for", "--iit-for", "Terminate sessions idle in a transaction this long", defaults.IdleInTransactionFor);
        var idleFor = CommonOptions.DurationOption("--idle-for", "-i", "Terminate sessions idle this long (runbook step 1)", defaults.IdleFor);
        var waitingFor = CommonOptions.DurationOption("--waiting-for", null, "Terminate heads of lock chains whose waiters waited this long", defaults.BlockingWaitingFor);
        var command = new Command("heal", "Diagnose, then run the runbook's plan step by step (idle in transaction → idle → lock-chain heads), verifying after each and stopping once healthy. Shows the plan; runs it only with --yes. Restarts the application after step 1 only with --restart-command or --platform.")
        {
            idleInTransactionFor, idleFor, waitingFor,
        };
        options.AddTo(command);
        platform.AddTo(command);
        command.Options.Add(CommonOptions.Renamed("-w", "--waiting-for", "-w is kept for check's --warning"));
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var heal = new HealOptions
            {
                IdleInTransactionFor = parseResult.GetValue(idleInTransactionFor),
                IdleFor = parseResult.GetValue(idleFor),
                BlockingWaitingFor = parseResult.GetValue(waitingFor),
            };
            var configure = platform.Configure(parseResult, platform.Hooks(parseResult, HookSettings.None, context));
            return await RemediationRun.RunAsync(RemediationVerb.Heal, r => configure(r) with { Heal = heal }, options, parseResult, context, cancellationToken);
        });
        return command;
    }
}
