using System.CommandLine;
using PgMedic.Cli.Common;
using PgMedic.Core.Common;
using PgMedic.Core.SessionHistory;

namespace PgMedic.Cli.History;

/// <summary><c>pgmedic history [TARGET] --at TIME [--for 5m]</c>: what the server was doing then, from the active session history.</summary>
internal static class HistoryCommand
{
    public static Command Create(CliContext context)
    {
        var target = CommonOptions.RefusingOptions(new Argument<string?>("TARGET")
        {
            Description = "The monitored target's name (as in the monitor's config); optional when it watches only one",
            Arity = ArgumentArity.ZeroOrOne,
        });
        var at = new Option<string>("--at")
        {
            Description = "The moment: ISO 8601 (2025-07-31T03:12Z; without a zone it is UTC) or a time of day (03:12, with seconds if you like) meaning its most recent occurrence in UTC, or in the zone after it (03:12+02:00, '03:12 Europe/Berlin')",
            HelpName = "time",
            Required = true,
        };
        var span = new Option<string?>("--for") { Description = "Every sample from --at over this long (e.g. 5m), averaged with peaks, instead of the one nearest it (at most 1d)", HelpName = "duration" };
        var history = new HistoryOptions();
        var format = CommonOptions.Format();
        var command = new Command("history", "What the server was doing at a moment, from the monitor's active session history: client sessions by state, wait event, application, user, client and database; the holders by application and statement (query fingerprint); the longest-held sessions and the lock tree. Reads the running monitor (--monitor) or its history file (--history). Exit 0, or 3 when nothing was sampled then.")
        {
            target, at, span, format,
        };
        history.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var now = context.Time.GetUtcNow();
            if (MomentText.TryParse(parseResult.GetValue(at), now, out var moment) is { } error)
            {
                throw new UsageException($"--at: {error}");
            }

            TimeSpan? stretch = null;
            if (parseResult.GetValue(span) is { } text)
            {
                if (!Duration.TryParse(text, out var value) || value <= TimeSpan.Zero || value > TimeSpan.FromDays(1))
                {
                    throw new UsageException($"--for '{text}' is not a duration from 1s to 1d, e.g. 5m");
                }

                stretch = value;
            }

            await using var source = HistorySource.Open(history, parseResult, context);
            var name = await source.TargetAsync(parseResult.GetValue(target), cancellationToken);
            var answer = await source.MomentAsync(name, moment, stretch, cancellationToken);
            var report = new HistoryReport(name, source.Location, answer, (int)ExitCode.Ok);
            HistoryRenderer.Render(report, parseResult.GetValue(format), context);
            return report.ExitCode;
        });
        return command;
    }
}

/// <summary>The JSON of <c>pgmedic history --format json</c> (docs/commands/history.md, docs/schemas/history.schema.json).</summary>
internal sealed record HistoryReport(string Target, string Source, ActivityMoment Moment, int ExitCode);
