using System.CommandLine;
using PgMedic.Cli.Common;
using PgMedic.Core.Common;
using PgMedic.Core.Statements;
using PgMedic.Postgres.Collection;
using PgMedic.Postgres.Probing;
using PgMedic.Postgres.Statements;

namespace PgMedic.Cli.Statements;

/// <summary><c>pgmedic slow-queries</c>: the runbook's prevention query over pg_stat_statements, columns chosen by extension version.</summary>
internal static class SlowQueriesCommand
{
    private const int MaxLimit = 1000;

    public static Command Create(CliContext context)
    {
        var server = new ConnectionOptions();
        var format = CommonOptions.Format();
        var timeout = CommonOptions.DurationOption("--timeout", "-t", "Give up after this long (connecting and reading share it)", TimeSpan.FromSeconds(10));
        var limit = new Option<int>("--limit")
        {
            Description = $"Show this many statements (1–{MaxLimit}; default 10)",
            DefaultValueFactory = _ => 10,
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
                if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value is >= 1 and <= MaxLimit)
                {
                    return value;
                }

                result.AddError($"--limit '{text}' is not a whole number from 1 to {MaxLimit}");
                return 10;
            },
        };
        var order = new Option<StatementOrder>("--order", "-o")
        {
            Description = "Rank by mean time per call, total time, or calls (default mean)",
            HelpName = "mean|total|calls",
            DefaultValueFactory = _ => StatementOrder.Mean,
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
                if (Enum.TryParse<StatementOrder>(text, ignoreCase: true, out var value) && Enum.IsDefined(value) && !char.IsAsciiDigit(text.FirstOrDefault()))
                {
                    return value;
                }

                result.AddError($"--order '{text}' is not one of mean, total, calls");
                return StatementOrder.Mean;
            },
        };
        var allDatabases = new Option<bool>("--all-databases") { Description = "Statements of every database; only the target's database by default" };
        var all = new Option<bool>("--all") { Description = "Also PgMedic's own statements and the drivers' (type loading, SET, SHOW, DISCARD ALL, SELECT 1); only the application's by default" };
        var command = new Command("slow-queries", "The application's slowest statements from pg_stat_statements (mean or total time, or calls; PgMedic's own and the drivers' only with --all), with the timing columns of the installed extension version. Exit 0 when listed; 3 with the steps to enable it when the extension is missing or not preloaded, or on bad input.")
        {
            limit,
            order,
            allDatabases,
            all,
            format,
            timeout,
        };
        command.Options.Add(CommonOptions.Renamed("-n", "--limit"));
        server.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var resolved = server.Resolve(parseResult, context);
            await using var deadline = new CommandDeadline(parseResult.GetValue(timeout), context.Time, cancellationToken);
            var (connection, probe) = await deadline.ConnectAsync(resolved, ConnectionSettings.OneShot);
            if (connection is null)
            {
                return ConnectFailure.Report(probe, "slow-queries", context);
            }

            var (report, failure) = await deadline.ReadAsync(probe, (left, token) => StatementsReader.ReadAsync(
                connection, resolved.Masked, parseResult.GetValue(order), parseResult.GetValue(limit), parseResult.GetValue(allDatabases), parseResult.GetValue(all), left, token));
            if (report is null)
            {
                return ConnectFailure.Report(failure!, "slow-queries", context);
            }

            SlowQueriesRenderer.Render(report, parseResult.GetValue(format), context);
            return (int)report.ExitCode;
        });
        return command;
    }
}
