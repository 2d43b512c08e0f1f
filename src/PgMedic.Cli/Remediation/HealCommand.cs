using System.CommandLine;
using PgMedic.Cli.Common;
using PgMedic.Core.Diagnosis;
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
        var defaults = new HealOptions();
        var idleInTransactionFor = CommonOptions.DurationOption("--idle-in-transaction-for", "--iit-for", "Terminate sessions idle in a transaction this long", defaults.IdleInTransactionFor);
        var idleFor = CommonOptions.DurationOption("--idle-for", "-i", "Terminate sessions idle this long (runbook step 1)", defaults.IdleFor);
        var waitingFor = CommonOptions.DurationOption("--waiting-for", "-w", "Terminate heads of lock chains whose waiters waited this long", defaults.BlockingWaitingFor);
        var command = new Command("heal", "Diagnose, then run the runbook's plan step by step (idle in transaction → idle → lock-chain heads), verifying after each and stopping once healthy. Shows the plan; runs it only with --yes. Never restarts anything.")
        {
            idleInTransactionFor, idleFor, waitingFor,
        };
        options.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var heal = new HealOptions
            {
                IdleInTransactionFor = parseResult.GetValue(idleInTransactionFor),
                IdleFor = parseResult.GetValue(idleFor),
                BlockingWaitingFor = parseResult.GetValue(waitingFor),
            };
            // "Healthy" is judged with heal's own thresholds, so a step is not skipped for sessions heal would take.
            var diagnosis = new DiagnosisOptions
            {
                IdleInTransactionWarning = heal.IdleInTransactionFor,
                IdleInTransactionCritical = heal.IdleInTransactionFor > new DiagnosisOptions().IdleInTransactionCritical ? heal.IdleInTransactionFor : new DiagnosisOptions().IdleInTransactionCritical,
                HoardingIdleFor = heal.IdleFor,
                BlockingWarning = heal.BlockingWaitingFor,
                BlockingCritical = heal.BlockingWaitingFor > new DiagnosisOptions().BlockingCritical ? heal.BlockingWaitingFor : new DiagnosisOptions().BlockingCritical,
            };
            await using var run = await RemediationRun.StartAsync("heal", options, parseResult, context, cancellationToken);
            var findings = Diagnoser.Diagnose(run.Snapshot, diagnosis);
            foreach (var finding in findings.Where(f => f.Severity >= Severity.Warning))
            {
                run.Writer.Line($"{finding.Severity.ToString().ToUpperInvariant()} {finding.Code}: {finding.Summary}");
            }

            var guardrails = run.Guardrails;
            var steps = HealPlanner.Plan(run.Snapshot, heal, guardrails);
            foreach (var step in steps)
            {
                run.Writer.Plan(step.Plan);
            }

            var total = steps.Sum(s => s.Plan.Actions.Count);
            if (total == 0 || !run.Confirm($"Run these {steps.Count(s => !s.Plan.IsEmpty)} step(s), {total} session(s) in all?"))
            {
                foreach (var step in steps)
                {
                    run.Add(new StepReport(step.Name, step.RunbookStep, step.Plan, [], null, null, step.Plan.IsEmpty ? "nothing to do" : "planned", null));
                }

                if (total == 0)
                {
                    run.Writer.Line(HealPlanner.IsHealthy(findings) ? "The server is healthy: nothing to heal." : "Nothing heal may act on matched; see `pgmedic diagnose` for what else is wrong.");
                }

                run.Writer.Final(run.Report(dryRun: true));
                return 0;
            }

            await run.Audit.FindingsAsync("heal", findings, cancellationToken);
            var taken = new HashSet<int>();
            var healthy = false;
            foreach (var name in HealPlanner.StepOrder)
            {
                if (healthy)
                {
                    run.Add(new StepReport(name, null, null, [], null, null, "skipped", null));
                    run.Writer.Line($"Step {name}: skipped — the server is healthy.");
                    continue;
                }

                // Each step is planned from the server as it is now: earlier steps changed it.
                if (run.Steps.Count > 0)
                {
                    await run.RefreshAsync(cancellationToken);
                }

                var step = HealPlanner.PlanStep(name, run.Snapshot, heal, guardrails, taken);
                run.Writer.Line($"Step {name} ({step.RunbookStep}): {step.Plan.Actions.Count} session(s)");
                if (step.Plan.IsEmpty)
                {
                    run.Add(new StepReport(name, step.RunbookStep, step.Plan, [], null, null, "nothing to do", null));
                    continue;
                }

                var report = await run.ExecuteAsync(name, step.RunbookStep, step.Plan, new ExecutionOptions(false, TimeSpan.Zero), diagnosis, cancellationToken);
                healthy = report.Verification!.Healthy;
            }

            var elapsed = run.Report(dryRun: false).ElapsedMilliseconds;
            run.Writer.Line(healthy ? $"Healed: verified healthy {elapsed:0} ms after start." : "Not healthy after every step: see the findings above; `pgmedic diagnose` for what is left.");
            run.Writer.Final(run.Report(dryRun: false));
            return healthy ? 0 : RemediationRun.ExitCodeOf(run.Steps) is 2 ? 2 : 1;
        });
        return command;
    }
}
