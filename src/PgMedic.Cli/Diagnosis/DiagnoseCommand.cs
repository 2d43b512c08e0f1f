using System.CommandLine;
using PgMedic.Cli.Common;
using PgMedic.Core.PgBouncer;
using PgMedic.Postgres.Collection;
using PgMedic.Postgres.PgBouncer;
using PgMedic.Postgres.Targets;

namespace PgMedic.Cli.Diagnosis;

/// <summary><c>pgmedic diagnose</c>: the runbook's whole assessment in one command.</summary>
internal static class DiagnoseCommand
{
    public static Command Create(CliContext context)
    {
        var server = new ConnectionOptions();
        var format = CommonOptions.Format();
        var timeout = CommonOptions.DurationOption("--timeout", "-t", "Give up after this long: connecting, collecting and reading pool endpoints share it", TimeSpan.FromSeconds(10));
        var pgbouncer = new Option<string?>("--pgbouncer")
        {
            Description = "Also read PgBouncer's admin console (URL, conninfo; database pgbouncer) and show both layers side by side",
            HelpName = "target",
        };
        var thresholds = new ThresholdOptions();
        var poolEndpoints = new Option<string[]>("--pool-endpoint")
        {
            HelpName = "url",
            Description = "A service's PgMedic.Guard /health/pool URL (repeatable): its holders are joined to sessions by backend PID, so findings name the file, line and method holding each connection",
        };
        var poolToken = new Option<string?>("--pool-token")
        {
            Description = "Bearer token for --pool-endpoint (default: $PGMEDIC_POOL_TOKEN)",
            HelpName = "token",
        };
        var command = new Command("diagnose", "How close the server is to refusing connections, who holds them, and which runbook step fixes it. Exit code = worst finding: 0 ok, 1 warning, 2 critical, 3 could not look.")
        {
            format,
            timeout,
            poolEndpoints,
            poolToken,
            pgbouncer,
        };
        thresholds.AddTo(command);
        server.AddTo(command);
        server.PortUsedToBe("--pool-endpoint");
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var options = thresholds.Read(parseResult);
            var resolved = server.Resolve(parseResult, context);
            var endpoints = (parseResult.GetValue(poolEndpoints) ?? []).Select(ParseEndpoint).ToList();
            var token = parseResult.GetValue(poolToken) ?? context.Environment("PGMEDIC_POOL_TOKEN");
            var bouncer = parseResult.GetValue(pgbouncer) is { } bouncerText ? TargetResolver.Resolve(bouncerText, _ => null, context.HomeDirectory) : null;

            // --timeout bounds the whole command: the connect, the snapshot, the pool endpoints and PgBouncer share it.
            await using var deadline = new CommandDeadline(parseResult.GetValue(timeout), context.Time, cancellationToken);
            var report = bouncer is not null
                ? await PgBouncerDiagnosisRunner.RunAsync(resolved, bouncer, deadline, options, new PgBouncerOptions(), context.Time, (endpoints, token))
                : (await DiagnosisRunner.RunWithSnapshotAsync(resolved, deadline, options, (endpoints, token))).Report;
            DiagnoseRenderer.Render(report, parseResult.GetValue(format), context);
            return report.ExitCode;
        });
        return command;
    }

    private static Uri ParseEndpoint(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new UsageException($"--pool-endpoint '{text}' is not an http(s) URL: give the service's /health/pool address, e.g. http://127.0.0.1:5080/health/pool");
}
