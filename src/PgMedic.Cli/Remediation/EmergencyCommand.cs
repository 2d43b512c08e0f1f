using System.CommandLine;
using PgMedic.Cli.Common;
using PgMedic.Core.Remediation;
using PgMedic.Postgres.Remediation;

namespace PgMedic.Cli.Remediation;

/// <summary>
/// <c>pgmedic emergency</c>: runbook step 4 as an ordered playbook — maintenance on → terminate every
/// client session of the database (guardrails still apply) → restart the app → verify → maintenance off.
/// Every step is timed and audited; a failing step stops the playbook and says where and what next.
/// </summary>
internal static class EmergencyCommand
{
    public static Command Create(CliContext context)
    {
        var options = new RemediationOptions(defaultMax: 10_000);
        var hooks = new HookOptions();
        var platform = new PlatformOptions(emergency: true);
        var confirmDatabase = new Option<string?>("--confirm-database") { Description = "Required with --yes: the target's database name, typed out, to prove you mean this one", HelpName = "database" };
        var command = new Command("emergency", "Runbook step 4 as a playbook: maintenance on → terminate every client session of the database → (restart the database) → restart the app → verify → maintenance off → (health URLs). Shows the playbook; runs only with --yes --confirm-database NAME.")
        {
            confirmDatabase,
        };
        options.AddTo(command, withDatabaseFilter: false);
        hooks.AddTo(command);
        platform.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var settings = platform.Hooks(parseResult, hooks.Read(parseResult), context);
            var configure = platform.Configure(parseResult, settings);
            var yes = parseResult.GetValue(options.Yes);
            var typed = parseResult.GetValue(confirmDatabase);
            return await RemediationRun.RunAsync(
                RemediationVerb.Emergency,
                configure,
                options,
                parseResult,
                context,
                cancellationToken,
                (question, _) => !yes
                    ? Task.FromResult(Confirmation.NotAsked)
                    : string.Equals(typed, question.Database, StringComparison.Ordinal)
                        ? Task.FromResult(Confirmation.Confirmed)
                        : throw new UsageException($"emergency terminates every client session of '{question.Database}': add --confirm-database {question.Database} to confirm"));
        });
        return command;
    }
}
