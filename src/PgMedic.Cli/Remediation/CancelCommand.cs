using System.CommandLine;
using PgMedic.Cli.Common;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Remediation;
using PgMedic.Postgres.Remediation;

namespace PgMedic.Cli.Remediation;

/// <summary><c>pgmedic cancel</c>: cancel queries running too long; the sessions stay connected.</summary>
internal static class CancelCommand
{
    public static Command Create(CliContext context)
    {
        var options = new RemediationOptions();
        var selection = new SelectionOptions();
        var runningFor = CommonOptions.DurationOption("--running-for", "-r", "Only queries running at least this long", TimeSpan.FromMinutes(5));
        var command = new Command("cancel", "Cancel client queries running longer than --running-for (never walsenders, autovacuum or PgMedic). Shows the plan; runs it only with --yes.")
        {
            runningFor,
        };
        options.AddTo(command);
        selection.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var chosen = selection.Read(parseResult) with { State = "active", RunningFor = parseResult.GetValue(runningFor) };
            await using var run = await RemediationRun.StartAsync("cancel", options, parseResult, context, cancellationToken);
            var plan = Guardrails.Apply($"cancel queries {chosen.Describe()}", chosen.Match(run.Snapshot).Select(s => (s, SessionAction.Cancel, chosen.Describe())), run.Snapshot.TakenAt, run.Guardrails);
            run.Writer.Plan(plan);
            if (plan.IsEmpty || !run.Confirm($"Cancel {plan.Actions.Count} quer(ies)?"))
            {
                run.Add(new StepReport("cancel", null, plan, [], null, null, plan.IsEmpty ? "nothing to do" : "planned", null));
                run.Writer.Final(run.Report(dryRun: true));
                return 0;
            }

            await run.ExecuteAsync("cancel", RunbookStep.IdentifyConnectionLeaks, plan, new ExecutionOptions(false, TimeSpan.Zero), new DiagnosisOptions(), cancellationToken);
            run.Writer.Final(run.Report(dryRun: false));
            return RemediationRun.ExitCodeOf(run.Steps);
        });
        return command;
    }
}
