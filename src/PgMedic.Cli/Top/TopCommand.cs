using System.CommandLine;
using PgMedic.Cli.Common;
using PgMedic.Cli.Output;
using PgMedic.Core.Activity;
using PgMedic.Core.Common;
using PgMedic.Postgres.Collection;
using Spectre.Console;

namespace PgMedic.Cli.Top;

/// <summary>
/// <c>pgmedic top</c>: a live view in the spirit of pg_activity over ONE collector connection kept for the
/// whole session. Without a terminal it prints one frame and exits 0.
/// </summary>
internal static class TopCommand
{
    private static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(250);

    public static Command Create(CliContext context)
    {
        var server = new ConnectionOptions();
        var interval = CommonOptions.DurationOption("--interval", null, "Refresh this often (at least 250ms)", TimeSpan.FromSeconds(2));
        var timeout = CommonOptions.DurationOption("--timeout", "-t", "Give up connecting or collecting after this long", TimeSpan.FromSeconds(10));
        var command = new Command("top", "Live view: usage of usable slots by state, then running, idle-in-transaction and blocking panes; q quits. One connection for the whole session. Without a terminal (piped), prints one frame and exits 0.")
        {
            interval,
            timeout,
            CommonOptions.Renamed("-n", "--interval"),
        };
        server.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var every = parseResult.GetValue(interval);
            if (every < MinimumInterval)
            {
                throw new UsageException($"--interval {Duration.Format(every)} is too short: use at least {Duration.Format(MinimumInterval)}");
            }

            var resolved = server.Resolve(parseResult, context);
            var (collector, probe) = await CollectorConnection.OpenAsync(resolved, parseResult.GetValue(timeout), cancellationToken);
            if (collector is null)
            {
                return ConnectFailure.Report(probe, "top", context);
            }

            await using (collector)
            {
                var view = new TopViewContext(resolved.Masked, every, context.IsTerminal);
                return context.IsTerminal
                    ? await RunLiveAsync(collector, view, context, cancellationToken)
                    : await PrintOneFrameAsync(collector, view, context, cancellationToken);
            }
        });
        return command;
    }

    private static async Task<int> PrintOneFrameAsync(CollectorConnection collector, TopViewContext view, CliContext context, CancellationToken cancellationToken)
    {
        var frame = TopFrame.From(await collector.CollectAsync(cancellationToken));
        Terminal.For(context).Write(TopView.Render(frame, view));
        return (int)ExitCode.Ok;
    }

    private static async Task<int> RunLiveAsync(CollectorConnection collector, TopViewContext view, CliContext context, CancellationToken cancellationToken)
    {
        var console = Terminal.For(context);
        var rows = Math.Clamp((console.Profile.Height - 18) / 3, 3, 30);
        var session = new TopSession(collector.CollectAsync, view.Interval, context.Time, ReadKey, rows);
        try
        {
            await console.Live(TopView.Render(null, view))
                .Overflow(VerticalOverflow.Ellipsis)
                .Cropping(VerticalOverflowCropping.Bottom)
                .StartAsync(live => session.RunAsync(
                    (frame, error, _) =>
                    {
                        live.UpdateTarget(TopView.Render(frame, view with { Error = error }));
                        live.Refresh();
                        return Task.CompletedTask;
                    },
                    cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C ends a live view as q does.
        }

        return (int)ExitCode.Ok;
    }

    private static char? ReadKey() =>
        !Console.IsInputRedirected && Console.KeyAvailable ? Console.ReadKey(intercept: true).KeyChar : null;
}
