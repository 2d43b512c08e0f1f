using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PgMedic.Cli.Common;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Probing;
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
        var confirmDatabase = new Option<string?>("--confirm-database") { Description = "Required with --yes: the target's database name, typed out, to prove you mean this one" };
        var command = new Command("emergency", "Runbook step 4 as a playbook: maintenance on → terminate every client session of the database → restart the app → verify → maintenance off. Shows the playbook; runs only with --yes --confirm-database NAME.")
        {
            confirmDatabase,
        };
        options.AddTo(command, withDatabaseFilter: false);
        hooks.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var settings = hooks.Read(parseResult);
            var yes = parseResult.GetValue(options.Yes);
            await using var run = await RemediationRun.StartAsync("emergency", options, parseResult, context, cancellationToken);
            var database = run.Snapshot.TargetDatabase ?? run.Target.EffectiveDatabase;
            if (yes && !string.Equals(parseResult.GetValue(confirmDatabase), database, StringComparison.Ordinal))
            {
                throw new UsageException($"emergency terminates every client session of '{database}': add --confirm-database {database} to confirm");
            }

            var plan = Guardrails.Apply(
                $"terminate every client session of database {database}",
                run.Snapshot.Sessions.Select(s => (s, SessionAction.Terminate, "emergency: every client session of the database")),
                run.Snapshot.TakenAt,
                run.Guardrails);
            run.Writer.Line("Playbook (runbook step 4):");
            run.Writer.Line($"  1. maintenance on:  {settings.MaintenanceOnCommand ?? "(no --maintenance-on-command: skipped)"}");
            run.Writer.Line($"  2. terminate {plan.Actions.Count} client session(s) of {database}");
            run.Writer.Line($"  3. restart the app: {settings.RestartCommand ?? "(no --restart-command: skipped)"}");
            run.Writer.Line("  4. verify: a fresh connection gets in and SELECT 1 answers");
            run.Writer.Line($"  5. maintenance off: {settings.MaintenanceOffCommand ?? "(no --maintenance-off-command: skipped)"}");
            run.Writer.Plan(plan);
            if (!yes)
            {
                run.Add(new StepReport("terminate", RunbookStep.EmergencyRestart, plan, [], null, null, "planned", null));
                run.Writer.Final(run.Report(dryRun: true));
                return 0;
            }

            var environment = new Dictionary<string, string>
            {
                ["PGMEDIC_COMMAND"] = "emergency",
                ["PGMEDIC_RUN_ID"] = run.Audit.RunId,
                ["PGMEDIC_TARGET"] = run.Target.Masked,
                ["PGMEDIC_DATABASE"] = database,
                ["PGMEDIC_INCIDENT"] = $"emergency restart of {database}: {run.Snapshot.ClientBackends.Count()} client connections",
            };
            await run.Audit.PlanAsync("emergency", "playbook", plan, cancellationToken);

            var hookFailure = await HookStepAsync(run, "maintenance-on", settings.MaintenanceOnCommand, environment, settings.Timeout, "true", cancellationToken);
            if (hookFailure is not null)
            {
                return Stop(run, "step 1 (maintenance-on)", $"{hookFailure} Maintenance mode may be half on: check it, fix the hook, and re-run.");
            }

            var terminate = await run.ExecuteAsync("terminate", RunbookStep.EmergencyRestart, plan, new ExecutionOptions(false, TimeSpan.Zero), new DiagnosisOptions(), cancellationToken);
            environment["PGMEDIC_TERMINATED"] = terminate.Results.Count(r => r.Result == ActionResult.Terminated).ToString(CultureInfo.InvariantCulture);
            if (terminate.Results.Any(r => r.Result is ActionResult.PermissionDenied or ActionResult.Failed))
            {
                return Stop(run, "step 2 (terminate)", "Some sessions could not be terminated (see above): grant pg_signal_backend or run as a superuser. Maintenance mode is still ON.");
            }

            hookFailure = await HookStepAsync(run, "restart-app", settings.RestartCommand, environment, settings.Timeout, null, cancellationToken);
            if (hookFailure is not null)
            {
                return Stop(run, "step 3 (restart-app)", $"{hookFailure} Restart the application by hand. Maintenance mode is still ON.");
            }

            // Verified again after the restart: the application's new connections are part of "service came back".
            var (verification, _) = await Verifier.VerifyAsync(run.Target, run.Connection, run.Snapshot, new DiagnosisOptions(), cancellationToken);
            run.Writer.Verification(verification);

            run.Add(new StepReport("verify", RunbookStep.EmergencyRestart, null, [], null, verification, verification.Probe.Outcome == ProbeOutcome.Accepting ? "done" : "failed", null));
            await run.Audit.VerificationAsync("emergency", "verify", verification, 0, cancellationToken);
            if (verification.Probe.Outcome != ProbeOutcome.Accepting)
            {
                return Stop(run, "step 4 (verify)", $"The server still refuses connections ({verification.Probe.Reason}): restart PostgreSQL itself (runbook step 4.3, your provider's support if managed). Maintenance mode is still ON.");
            }

            hookFailure = await HookStepAsync(run, "maintenance-off", settings.MaintenanceOffCommand, environment, settings.Timeout, "false", cancellationToken);
            if (hookFailure is not null)
            {
                return Stop(run, "step 5 (maintenance-off)", $"{hookFailure} Everything else is done: turn maintenance mode off by hand.");
            }

            run.Writer.Line("Emergency playbook finished: every step succeeded.");
            run.Writer.Final(run.Report(dryRun: false));
            return 0;
        });
        return command;
    }

    /// <returns>Null when the step succeeded or was not configured; otherwise what went wrong.</returns>
    private static async Task<string?> HookStepAsync(RemediationRun run, string name, string? command, Dictionary<string, string> environment, TimeSpan timeout, string? maintenanceMode, CancellationToken cancellationToken)
    {
        if (command is null)
        {
            run.Add(new StepReport(name, RunbookStep.EmergencyRestart, null, [], null, null, "skipped", null));
            run.Writer.Line($"Step {name}: skipped (no command configured)");
            return null;
        }

        run.Writer.Line($"Step {name}: {command}");
        environment["PGMEDIC_STEP"] = name;
        if (maintenanceMode is not null)
        {
            environment["MAINTENANCE_MODE"] = maintenanceMode;
        }
        else
        {
            environment.Remove("MAINTENANCE_MODE");
        }

        await run.Audit.EventAsync("hook-started", "emergency", name, null, command, cancellationToken: cancellationToken);
        var stopwatch = Stopwatch.StartNew();
        var result = await HookRunner.RunAsync(name, command, environment, timeout, cancellationToken);
        await run.Audit.EventAsync("hook-finished", "emergency", name, result.Succeeded ? "succeeded" : result.TimedOut ? "timed-out" : "failed", command, stopwatch.Elapsed.TotalMilliseconds, result.ExitCode, result.Output, cancellationToken);
        run.Writer.Hook(result);
        run.Add(new StepReport(name, RunbookStep.EmergencyRestart, null, [], result, null, result.Succeeded ? "done" : "failed", result.Milliseconds));
        return result.Succeeded ? null : result.TimedOut ? $"The hook did not finish within {timeout.TotalSeconds:0} s." : $"The hook exited {result.ExitCode}.";
    }

    private static int Stop(RemediationRun run, string where, string next)
    {
        run.Writer.Final(run.Report(dryRun: false, stoppedAt: where, nextStep: next));
        return 2;
    }
}
