using System.CommandLine;
using PgMedic.Cli.Common;
using PgMedic.Core.Checks;
using PgMedic.Core.Common;
using PgMedic.Core.Snapshots;
using PgMedic.Postgres.Collection;
using PgMedic.Postgres.Probing;
using PgMedic.Postgres.Targets;

namespace PgMedic.Cli.Checks;

/// <summary>
/// <c>pgmedic check &lt;kind&gt;</c>: a monitoring plugin — one line of Nagios plugin output with
/// performance data, exit 0/1/2/3 — that drops in where check_postgres sits today.
/// </summary>
internal static class CheckCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("check", "Monitoring-plugin checks (Nagios, Icinga, Sensu): one line with performance data; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.");
        command.Subcommands.Add(ConnectionsCommand(context));
        command.Subcommands.Add(AgeCommand(context, "idle-in-transaction", "Oldest session idle in an open transaction", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), PluginChecks.IdleInTransaction, "POSTGRES_IDLE_IN_TRANSACTION"));
        command.Subcommands.Add(AgeCommand(context, "long-queries", "Longest-running client query (never walsenders or autovacuum)", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), PluginChecks.LongQueries, "POSTGRES_LONG_QUERIES"));
        command.Subcommands.Add(PgBouncer.PgBouncerWaitingCheck.Create(context));
        command.Subcommands.Add(AgeCommand(context, "blocking", "Longest wait of a session queued behind a lock, naming the head blocker", TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), PluginChecks.Blocking, "POSTGRES_BLOCKING"));
        return command;
    }

    private static Command ConnectionsCommand(CliContext context)
    {
        var server = new ConnectionOptions();
        var timeout = CommonOptions.DurationOption("--timeout", "-t", "Give up after this long", TimeSpan.FromSeconds(10));
        var warning = ThresholdOption("--warning", "-w", "80%");
        var critical = ThresholdOption("--critical", "-c", "90%");
        var command = new Command("connections", "Client backends against usable slots (max_connections − superuser_reserved − reserved). Thresholds: N connections, N% of usable slots, or -N slots left.")
        {
            timeout, warning, critical,
        };
        server.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var (w, c) = (parseResult.GetValue(warning)!, parseResult.GetValue(critical)!);
            var errors = ConnectionThreshold.ValidatePair(w, c);
            if (errors.Count > 0)
            {
                throw new UsageException($"--warning {w} --critical {c}: {string.Join("; ", errors)}");
            }

            return RunAsync(context, server.Resolve(parseResult, context), parseResult.GetValue(timeout), "POSTGRES_CONNECTIONS", snapshot => PluginChecks.Connections(snapshot, w, c), cancellationToken);
        });
        return command;
    }

    private static Command AgeCommand(CliContext context, string name, string description, TimeSpan defaultWarning, TimeSpan defaultCritical, Func<Snapshot, TimeSpan, TimeSpan, PluginResult> check, string service)
    {
        var server = new ConnectionOptions();
        var timeout = CommonOptions.DurationOption("--timeout", "-t", "Give up after this long", TimeSpan.FromSeconds(10));
        var warning = CommonOptions.DurationOption("--warning", "-w", "Warning age", defaultWarning);
        var critical = CommonOptions.DurationOption("--critical", "-c", "Critical age", defaultCritical);
        var command = new Command(name, description) { timeout, warning, critical };
        server.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var (w, c) = (parseResult.GetValue(warning), parseResult.GetValue(critical));
            var errors = new List<string>();
            ThresholdRules.Duration(errors, "--warning", w);
            ThresholdRules.Duration(errors, "--critical", c);
            ThresholdRules.Ordered(errors, name, w, c, rising: true, Duration.Format);
            if (errors.Count > 0)
            {
                throw new UsageException(string.Join("; ", errors));
            }

            return RunAsync(context, server.Resolve(parseResult, context), parseResult.GetValue(timeout), service, snapshot => check(snapshot, w, c), cancellationToken);
        });
        return command;
    }

    private static Option<ConnectionThreshold> ThresholdOption(string name, string alias, string defaultValue) => new(name, alias)
    {
        Description = $"N connections, N% of usable slots, or -N slots left (default {defaultValue})",
        HelpName = "N|N%|-N",
        DefaultValueFactory = _ => Parse(defaultValue),
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
            if (ConnectionThreshold.TryParse(text, out var threshold, out var error))
            {
                return threshold;
            }

            result.AddError($"{name}: {error}");
            return null;
        },
    };

    private static ConnectionThreshold Parse(string text) =>
        ConnectionThreshold.TryParse(text, out var threshold, out _) ? threshold! : throw new ArgumentException(text);

    private static async Task<int> RunAsync(CliContext context, ConnectionTarget target, TimeSpan timeout, string service, Func<Snapshot, PluginResult> check, CancellationToken cancellationToken)
    {
        // --timeout bounds the whole check, as a monitoring system's own timeout does: connecting and collecting share it.
        await using var deadline = new CommandDeadline(timeout, context.Time, cancellationToken);
        var (connection, probe) = await deadline.ConnectAsync(target, ConnectionSettings.OneShot);
        PluginResult result;
        if (connection is null)
        {
            result = PluginChecks.CouldNotConnect(service, probe);
        }
        else
        {
            // No plugin line shows a query: the server need not copy (and PgMedic not scrub) any query text.
            var (snapshot, failure) = await deadline.ReadAsync(probe, (left, token) => SnapshotCollector.CollectAsync(connection, left, token, maxQueryLength: 0));
            result = snapshot is null ? PluginChecks.CouldNotConnect(service, failure!) : check(snapshot);
        }

        await context.Out.WriteLineAsync(result.ToLine());
        return (int)result.Status;
    }
}
