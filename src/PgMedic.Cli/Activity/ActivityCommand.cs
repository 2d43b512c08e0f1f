using System.CommandLine;
using PgMedic.Cli.Common;
using PgMedic.Core.Activity;
using PgMedic.Core.Common;
using PgMedic.Postgres.Collection;
using PgMedic.Postgres.Probing;

namespace PgMedic.Cli.Activity;

/// <summary><c>pgmedic activity</c>: the runbook's step 3 listing of pg_stat_activity, oldest state change first, with filters.</summary>
internal static class ActivityCommand
{
    public static Command Create(CliContext context)
    {
        var server = new ConnectionOptions();
        var format = CommonOptions.Format();
        var timeout = CommonOptions.DurationOption("--timeout", "-t", "Give up after this long (connecting and collecting share it)", TimeSpan.FromSeconds(10));
        var state = StateOption();
        var database = new Option<string?>("--in-database") { Description = "Only sessions connected to this database (exact name; -d is the database to connect to)", HelpName = "database" };
        var application = new Option<string?>("--application", "-a") { Description = "Only sessions with this application_name (exact)", HelpName = "name" };
        var user = new Option<string?>("--user") { Description = "Only sessions of this role (exact; the login is -U/--username)", HelpName = "role" };
        var idleFor = CommonOptions.OptionalDurationOption("--idle-for", "-i", "Only sessions that have been in their current state at least this long");
        var tree = new Option<bool>("--tree") { Description = "Draw the lock chains as trees instead of the listing: each head blocker, then every waiter under the session it waits for, with how long it has waited (pg_locks.waitstart)" };
        var allBackends = new Option<bool>("--all-backends") { Description = "Include background processes (autovacuum, walsenders, parallel workers…); client backends only by default" };
        var command = new Command("activity", "Every session with its state, ages, wait event and query, oldest state_change first (the runbook's step 3 listing). Uses one connection; exit 0 when listed, 3 on bad input, the probe's code (1 rejected, 2 no response) when it cannot connect.")
        {
            state,
            database,
            application,
            user,
            idleFor,
            allBackends,
            tree,
            format,
            timeout,
            CommonOptions.Renamed("--database", "--in-database", "-d is the database to connect to, as in psql"),
            CommonOptions.Renamed("--min-age", "--idle-for"),
            CommonOptions.Renamed("-m", "--idle-for"),
        };
        server.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var filter = new ActivityFilter(
                parseResult.GetValue(state) ?? [],
                parseResult.GetValue(database),
                parseResult.GetValue(application),
                parseResult.GetValue(user),
                parseResult.GetValue(idleFor),
                parseResult.GetValue(allBackends));
            var resolved = server.Resolve(parseResult, context);
            await using var deadline = new CommandDeadline(parseResult.GetValue(timeout), context.Time, cancellationToken);
            var (connection, probe) = await deadline.ConnectAsync(resolved, ConnectionSettings.OneShot);
            if (connection is null)
            {
                return ConnectFailure.Report(probe, "activity", context);
            }

            var (snapshot, failure) = await deadline.ReadAsync(probe, (left, token) => SnapshotCollector.CollectAsync(connection, left, token));
            if (snapshot is null)
            {
                return ConnectFailure.Report(failure!, "activity", context);
            }

            var report = ActivityReport.From(resolved.Masked, snapshot, filter);
            ActivityRenderer.Render(report, parseResult.GetValue(format), context, parseResult.GetValue(tree));
            return (int)report.ExitCode;
        });
        return command;
    }

    /// <summary>activity's and top's <c>--state</c>: repeatable, as pg_stat_activity spells the states or with dashes.</summary>
    public static Option<string[]> StateOption() => new("--state", "-s")
    {
        Description = $"Only sessions in this state: {ActivityFilter.StateChoices} (also as pg_stat_activity spells them, e.g. \"idle in transaction\"); repeat for several",
        HelpName = "state",
        AllowMultipleArgumentsPerToken = false,
        CustomParser = result =>
        {
            var states = new List<string>();
            foreach (var token in result.Tokens)
            {
                if (!ActivityFilter.TryParseState(token.Value, out var parsed))
                {
                    result.AddError($"--state '{token.Value}' is not one of {ActivityFilter.StateChoices}");
                    return [];
                }

                if (!states.Contains(parsed))
                {
                    states.Add(parsed);
                }
            }

            return [.. states];
        },
    };
}
