using System.CommandLine;
using PgMedic.Cli.Common;
using PgMedic.Cli.History;
using PgMedic.Core.Common;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Slo;

namespace PgMedic.Cli.Slo;

/// <summary><c>pgmedic slo [TARGET]</c>: a monitored target's availability objective — availability, error budget, coverage, burn rates.</summary>
internal static class SloCommand
{
    public static Command Create(CliContext context)
    {
        var target = CommonOptions.RefusingOptions(new Argument<string?>("TARGET")
        {
            Description = "The monitored target's name (as in the monitor's config); optional when it watches only one",
            Arity = ArgumentArity.ZeroOrOne,
        });
        var history = new HistoryOptions();
        var format = CommonOptions.Format();
        var command = new Command("slo", "A monitored target's availability objective (99.9 % over 30 days unless configured): availability so far, the error budget left as attempts and as minutes, how much of the window was observed, and the burn-rate alerts' arithmetic. Reads the running monitor (--monitor) or its history file (--history). Exit 0 within budget, 1 the budget burns at the ticket rate, 2 spent or burning at a paging rate, 3 no data.")
        {
            target, format,
        };
        history.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await using var source = HistorySource.Open(history, parseResult, context);
            var name = await source.TargetAsync(parseResult.GetValue(target), cancellationToken);
            var view = await source.SloAsync(name, cancellationToken);
            if (view.Slo is not { } slo)
            {
                throw new UsageException($"the monitor has not polled '{name}' yet: ask again after its first poll");
            }

            var report = new SloReport(name, view.Connection, source.Location, slo, (int)ExitCodeOf(slo));
            SloRenderer.Render(report, parseResult.GetValue(format), context);
            return report.ExitCode;
        });
        return command;
    }

    /// <summary>2 when the budget is spent or a paging burn rate holds, 1 when the ticket one does, 3 without attempts to judge by.</summary>
    internal static ExitCode ExitCodeOf(SloStatus slo) =>
        slo.Attempts == 0 ? ExitCode.Unknown
        : slo.BudgetRemainingRatio <= 0 || slo.BurnRates.Any(b => b.Burning && b.Severity == Severity.Critical) ? ExitCode.Critical
        : slo.BurnRates.Any(b => b.Burning) ? ExitCode.Warning
        : ExitCode.Ok;
}

/// <summary>The JSON of <c>pgmedic slo --format json</c> (docs/commands/slo.md, docs/schemas/slo.schema.json).</summary>
/// <param name="Source">Where it was read: the history file or the monitor's address.</param>
internal sealed record SloReport(string Target, string Connection, string Source, SloStatus Slo, int ExitCode);
