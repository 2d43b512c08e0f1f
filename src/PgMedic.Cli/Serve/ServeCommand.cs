using System.Collections;
using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using PgMedic.Core.Common;
using PgMedic.Monitor;
using PgMedic.Monitor.Configuration;

namespace PgMedic.Cli.Serve;

/// <summary><c>pgmedic serve</c>: the monitor — history, the runbook's alerts, /health, /metrics, the JSON API and the dashboard.</summary>
internal static class ServeCommand
{
    public static Command Create(CliContext context)
    {
        var config = new Option<string?>("--config", "-c")
        {
            Description = "The monitor's configuration file (docs/commands/serve.md); PGMEDIC_* variables override it, e.g. PGMEDIC_accessToken, PGMEDIC_targets__0__connection",
            HelpName = "file",
        };
        var port = new Option<int?>("--port", "-p") { Description = "Listen on this port (overrides the file's 'port'; 0 picks a free one)", HelpName = "port" };
        var shard = new Option<string?>("--shard")
        {
            Description = "Poll only this instance's share of the targets: I/N (0/2 and 1/2 for two instances), by a stable hash of the target names; overrides the file's 'shard'",
            HelpName = "I/N",
        };
        var command = new Command("serve", "Watch targets: poll over one long-lived connection, measure an application's connection success, keep history in SQLite, fire the runbook's alerts to webhooks, serve /health, /metrics, a JSON API and the dashboard.")
        {
            config,
            port,
            shard,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            MonitorOptions options;
            try
            {
                options = MonitorConfigReader.Read(parseResult.GetValue(config), EnvironmentOf(context), context.Environment, context.HomeDirectory);
            }
            catch (MonitorConfigException ex)
            {
                foreach (var error in ex.Errors)
                {
                    await context.Error.WriteLineAsync($"pgmedic: config: {error}");
                }

                return (int)ExitCode.Unknown;
            }

            if (parseResult.GetValue(port) is { } overridePort)
            {
                if (overridePort is < 0 or > 65535)
                {
                    await context.Error.WriteLineAsync($"pgmedic: --port {overridePort} is not a TCP port: use 1-65535, or 0 to pick a free one");
                    return (int)ExitCode.Unknown;
                }

                options = options with { Port = overridePort };
            }

            if (parseResult.GetValue(shard) is { } shardText)
            {
                var (parsed, error) = Monitor.Shards.ShardOptions.Parse(shardText);
                if (parsed is null)
                {
                    await context.Error.WriteLineAsync($"pgmedic: --shard {error}");
                    return (int)ExitCode.Unknown;
                }

                options = options with { Shard = parsed with { PeerUrl = options.Shard.PeerUrl } };
            }

            WebApplication built;
            try
            {
                built = MonitorHost.Build(options, new MonitorHostSettings { Time = context.Time, OtlpEndpoint = context.Environment("OTEL_EXPORTER_OTLP_ENDPOINT") });
            }
            catch (Monitor.History.HistoryStoreException ex)
            {
                await context.Error.WriteLineAsync($"pgmedic: cannot open the history: {ex.Message}");
                return (int)ExitCode.Unknown;
            }

            await using var app = built;
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (IOException ex)
            {
                await context.Error.WriteLineAsync($"pgmedic: cannot listen on {options.Listen}:{options.Port}: {ex.Message}");
                return (int)ExitCode.Unknown;
            }

            var address = MonitorHost.BoundAddress(app);
            await context.Out.WriteLineAsync($"pgmedic serve: watching {Watching(options)}; history in {(options.HistoryConnection is { } history ? history.Masked : Path.GetFullPath(options.HistoryPath))}");
            await context.Out.WriteLineAsync($"pgmedic serve: listening on {address} (dashboard {address}, /health, /metrics, /api){(options.ReadOnly ? "; read-only" : "; actions enabled")}");
            if (!options.IsLoopback)
            {
                if (options.AccessToken is null)
                {
                    await context.Error.WriteLineAsync("pgmedic serve: warning: reachable from the network without an access token: every session, query and alert can be read by anyone who can reach this port");
                }

                await context.Error.WriteLineAsync(options.AccessToken is null
                    ? "pgmedic serve: warning: plain HTTP on a network address: everything shown travels unencrypted; put a TLS proxy in front"
                    : "pgmedic serve: warning: plain HTTP on a network address: the access token and everything shown travel unencrypted; put a TLS proxy in front");
            }

            await context.Out.FlushAsync(cancellationToken);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C or SIGTERM: stop cleanly; undelivered notifications stay in the outbox.
            }

            await app.StopAsync(CancellationToken.None);
            return (int)ExitCode.Ok;
        });
        return command;
    }

    private static string Watching(MonitorOptions options)
    {
        var owned = options.Targets.Count(t => options.Shard.Owns(t.Name));
        var scraped = options.Targets.Count(t => options.Shard.Owns(t.Name) && (t.Poll ?? options.Poll) == PollMode.Scrape);
        var text = $"{owned} target(s)";
        text += scraped == owned && owned > 0 ? " when /probe scrapes them" : scraped > 0 ? $" ({scraped} when /probe scrapes them, the others every {Duration.Format(options.PollInterval)})" : $" every {Duration.Format(options.PollInterval)}";
        if (options.Shard.IsSharded)
        {
            text += $" as shard {options.Shard} ({options.Targets.Count - owned} other target(s) belong to other shards)";
        }

        return options.TargetDirectory is { } directory ? $"{text}, following {directory}" : text;
    }

    /// <summary>The PGMEDIC_* variables, read through the context so tests see only their own.</summary>
    private static IEnumerable<KeyValuePair<string, string?>> EnvironmentOf(CliContext context) =>
        Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .Select(e => (string)e.Key)
            .Where(k => k.StartsWith(MonitorConfigReader.EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            .Select(k => KeyValuePair.Create(k, context.Environment(k)))
            .Where(kv => kv.Value is not null);
}
