using System.CommandLine;
using PgMedic.Cli.Common;
using PgMedic.Core.PgBouncer;
using PgMedic.Postgres.Collection;
using PgMedic.Postgres.PgBouncer;
using PgMedic.Postgres.Targets;

namespace PgMedic.Cli.Diagnose;

/// <summary><c>pgmedic diagnose</c>: the runbook's whole assessment in one command.</summary>
internal static class DiagnoseCommand
{
    public static Command Create(CliContext context)
    {
        var target = CommonOptions.Target();
        var format = CommonOptions.Format();
        var timeout = CommonOptions.DurationOption("--timeout", "-t", "Give up connecting or collecting after this long", TimeSpan.FromSeconds(10));
        var pgbouncer = new Option<string?>("--pgbouncer")
        {
            Description = "Also read PgBouncer's admin console (URL, conninfo; database pgbouncer) and show both layers side by side",
        };
        var thresholds = new ThresholdOptions();
        var command = new Command("diagnose", "How close the server is to refusing connections, who holds them, and which runbook step fixes it. Exit code = worst finding: 0 ok, 1 warning, 2 critical, 3 could not look.")
        {
            target,
            format,
            timeout,
            pgbouncer,
        };
        thresholds.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var options = thresholds.Read(parseResult);
            var resolved = CommonOptions.ResolveTarget(parseResult, target, context);
            var report = parseResult.GetValue(pgbouncer) is { } bouncerText
                ? await PgBouncerDiagnosisRunner.RunAsync(resolved, TargetResolver.Resolve(bouncerText, _ => null, context.HomeDirectory), parseResult.GetValue(timeout), options, new PgBouncerOptions(), context.Time, cancellationToken)
                : await DiagnosisRunner.RunAsync(resolved, parseResult.GetValue(timeout), options, cancellationToken);
            DiagnoseRenderer.Render(report, parseResult.GetValue(format), context);
            return report.ExitCode;
        });
        return command;
    }
}
