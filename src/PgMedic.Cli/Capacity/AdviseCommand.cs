using System.CommandLine;
using PgMedic.Cli.Common;
using PgMedic.Cli.History;
using PgMedic.Cli.Probing;
using PgMedic.Core.Capacity;
using PgMedic.Core.Common;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Platforms;
using PgMedic.Postgres.Collection;
using PgMedic.Postgres.Probing;

namespace PgMedic.Cli.Capacity;

/// <summary><c>pgmedic advise</c>: runbook step 2 and capacity planning, computed from the real server.</summary>
internal static class AdviseCommand
{
    public static Command Create(CliContext context)
    {
        var server = new ConnectionOptions();
        var format = CommonOptions.Format();
        var timeout = CommonOptions.DurationOption("--timeout", "-t", "Give up connecting or collecting after this long", TimeSpan.FromSeconds(10));
        var workers = new Option<int>("--workers")
        {
            Description = "Processes (pods × processes) that each hold their own pool",
            HelpName = "n",
            Required = true,
        };
        var poolSize = new Option<int?>("--pool-size") { Description = "Each worker's pool size today (default: SQLAlchemy's 5)", HelpName = "n" };
        var maxOverflow = new Option<int?>("--max-overflow", "-o") { Description = "Each worker's overflow today (default: SQLAlchemy's 10; 0 for Npgsql and HikariCP)", HelpName = "n" };
        var cores = new Option<int?>("--cores") { Description = "CPU cores of the database server, for the cores × 2 rule", HelpName = "n" };
        var application = new Option<string?>("--application", "-a") { Description = "The deployment's application_name: other applications' connections are kept out of its budget", HelpName = "name" };
        var emit = new Option<EmitChoice?>("--emit", "-e")
        {
            Description = "Print only the settings: as env (DATABASE_*), npgsql, sqlalchemy, hikari or pgbouncer, or as a platform's commands or file: railway, heroku, render, fly, kubernetes, systemd",
            HelpName = "format|platform",
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
                if (CapacityEmitter.TryParseFormat(text, out var format))
                {
                    return new EmitChoice(format, null);
                }

                if (PlatformNames.TryParse(text, out var platform))
                {
                    return new EmitChoice(null, platform);
                }

                result.AddError($"--emit '{text}' is not one of env, npgsql, sqlalchemy, hikari, pgbouncer, {string.Join(", ", PlatformNames.All.Select(PlatformNames.Of))}");
                return null;
            },
        };
        var service = new Option<string?>("--service")
        {
            Description = "With --emit railway|heroku|render|fly|kubernetes|systemd: the application's Railway service, Heroku or Fly app, Render service, Kubernetes deployment or systemd unit",
            HelpName = "name",
        };
        var history = new HistoryOptions();
        var name = new Option<string?>("--name") { Description = "With --history or --monitor: the monitored target whose history to read (default: the only one)", HelpName = "target" };
        var days = new Option<int>("--days") { Description = "With --history or --monitor: how many days of history to read (default 7)", HelpName = "n", DefaultValueFactory = _ => 7 };
        var command = new Command("advise", "Can the deployment's pools exhaust the server? Recommends pool size, overflow and timeouts per worker, a PgBouncer section when the pools add up to more than the server, and server timeouts; with the monitor's history (--history, --monitor) from the peaks, 99th percentiles and trend it observed over days, and when usable slots run out at that trend. Exit 0 the pools fit, 1 they can exhaust the server or the trend fills it within 30 days, 3 bad input or no server.")
        {
            name,
            days,
            workers,
            poolSize,
            maxOverflow,
            cores,
            application,
            emit,
            service,
            format,
            timeout,
            CommonOptions.Renamed("-w", "--workers", "-w is kept for check's --warning"),
            CommonOptions.Renamed("-c", "--cores", "-c is kept for check's --critical"),
        };
        server.AddTo(command);
        history.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            if (parseResult.GetValue(days) is < 1 or > 90)
            {
                throw new UsageException($"--days must be from 1 to 90 (was {parseResult.GetValue(days)})");
            }

            var shape = new DeploymentShape(
                parseResult.GetValue(workers),
                parseResult.GetValue(poolSize),
                parseResult.GetValue(maxOverflow),
                parseResult.GetValue(cores),
                parseResult.GetValue(application));
            var choice = parseResult.GetValue(emit);
            var problems = shape.Validate().Select(e => $"{Flag(e.Field)} must be between {e.Min} and {e.Max} (was {e.Was})").ToList();
            if (parseResult.GetValue(service) is not null && choice?.Platform is null)
            {
                problems.Add("--service names the platform's service for --emit railway|heroku|render|fly|kubernetes|systemd: add one of those, or leave --service out");
            }
            else if (choice?.Platform is { } named && PlatformEmitter.NeedsService(named) && string.IsNullOrWhiteSpace(parseResult.GetValue(service)))
            {
                problems.Add($"--emit {PlatformNames.Of(named)} needs --service NAME: the application's service, app, deployment or unit the variables are for");
            }

            if (problems.Count > 0)
            {
                throw new UsageException(string.Join("; ", problems));
            }

            CapacityHistory? observed = null;
            if (history.IsGiven(parseResult))
            {
                await using var source = HistorySource.Open(history, parseResult, context);
                var target = await source.TargetAsync(parseResult.GetValue(name), cancellationToken);
                observed = await source.CapacityAsync(target, parseResult.GetValue(days), cancellationToken);
                if (observed.Samples == 0)
                {
                    throw new UsageException($"{source.Location} holds no sample of '{target}' in the last {parseResult.GetValue(days)} days: advise without --history reads the server now");
                }
            }

            var resolved = server.Resolve(parseResult, context);
            await using var deadline = new CommandDeadline(parseResult.GetValue(timeout), context.Time, cancellationToken);
            var (connection, probe) = await deadline.ConnectAsync(resolved, ConnectionSettings.OneShot);
            if (connection is null)
            {
                // advise's -p used to be the pool size; now it is the port, so a refused -p 5 says why.
                var portHint = parseResult.GetResult(server.Port) is { Implicit: false } ? " (-p is the port now, as in psql; the pool size is --pool-size)" : string.Empty;
                throw new UsageException($"cannot read {probe.Target} to advise: {ProbeRenderer.Verdict(probe)} ({probe.Message}){portHint}; see pgmedic probe");
            }

            var (snapshot, failure) = await deadline.ReadAsync(probe, (left, token) => SnapshotCollector.CollectAsync(connection, left, token));
            if (snapshot is null)
            {
                throw new UsageException($"cannot read {failure!.Target} to advise: {ProbeRenderer.Verdict(failure)} ({failure.Message}); see pgmedic probe");
            }

            var advice = observed is null
                ? CapacityAdvisor.Advise(shape, ServerObservation.FromSnapshot(snapshot, shape.Application))
                : CapacityAdvisor.Advise(shape, ServerObservation.FromHistory(snapshot, observed, shape.Application), observed);
            if (choice is { } chosen)
            {
                var emitTarget = new EmitTarget(resolved.Host, resolved.Port, resolved.EffectiveDatabase, resolved.User, shape.Application);
                await context.Out.WriteAsync(chosen.Platform is { } platform
                    ? PlatformEmitter.Emit(advice, platform, parseResult.GetValue(service))
                    : CapacityEmitter.Emit(advice, chosen.Format ?? EmitFormat.Env, emitTarget));
                return (int)ExitCode.Ok;
            }

            var report = AdviseReport.Of(resolved.Masked, advice);
            AdviseRenderer.Render(report, parseResult.GetValue(format), context);
            return (int)report.ExitCode;
        });
        return command;
    }

    private static string Flag(ShapeField field) => field switch
    {
        ShapeField.Workers => "--workers",
        ShapeField.PoolSize => "--pool-size",
        ShapeField.MaxOverflow => "--max-overflow",
        _ => "--cores",
    };
}

/// <summary>What <c>--emit</c> asked for: one of the settings formats, or a platform's commands or file.</summary>
internal sealed record EmitChoice(EmitFormat? Format, Platform? Platform);

/// <summary>The JSON document of <c>pgmedic advise --format json</c>.</summary>
/// <param name="ExitCode">1 when the pools can exhaust the server, or the history's trend fills the usable slots within 30 days; else 0.</param>
internal sealed record AdviseReport(DiagnosisStatus Status, string Target, CapacityAdvice Advice, ExitCode ExitCode)
{
    public static AdviseReport Of(string target, CapacityAdvice advice) => advice.CanExhaust || advice.RunsOutSoon
        ? new(DiagnosisStatus.Warning, target, advice, ExitCode.Warning)
        : new(DiagnosisStatus.Ok, target, advice, ExitCode.Ok);
}
