using System.Collections;
using System.CommandLine;
using PgMedic.Cli.Common;
using PgMedic.Core.Alerts;
using PgMedic.Core.Common;
using PgMedic.Monitor.Configuration;
using PgMedic.Monitor.Export;

namespace PgMedic.Cli.Export;

/// <summary><c>pgmedic export prometheus-rules | grafana-dashboard</c>: the monitor's alerts and dashboard for a Prometheus/Grafana fleet.</summary>
internal static class ExportCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("export", "Export the monitor's alert rules for Prometheus/Alertmanager, or its dashboard for Grafana.");
        command.Subcommands.Add(Rules(context));
        command.Subcommands.Add(Grafana(context));
        return command;
    }

    private static Option<string?> Config() => new("--config", "-c")
    {
        Description = "Take thresholds, windows and the poll interval from this serve configuration (default: the runbook's defaults)",
        HelpName = "file",
    };

    private static Command Rules(CliContext context)
    {
        var config = Config();
        var source = new Option<string>("--source", "-s")
        {
            Description = "Metrics the rules are written over: pgmedic (pgmedic serve's /metrics) or postgres-exporter (default pgmedic)",
            HelpName = "pgmedic|postgres-exporter",
            DefaultValueFactory = _ => "pgmedic",
        };
        source.AcceptOnlyFromAmong("pgmedic", "postgres-exporter");
        var defaults = new PrometheusRulesOptions();
        var scrape = CommonOptions.DurationOption(
            "--scrape-interval",
            "-i",
            "Prometheus's scrape interval for these metrics: every time window in the rules holds enough scrapes of it; rules for a longer interval also hold at shorter ones",
            defaults.ScrapeInterval);
        var runbook = new Option<string>("--runbook-url")
        {
            Description = $"The page each rule's runbook_url annotation links to, with #<alert> appended (default {PrometheusRulesOptions.DefaultRunbookUrl}, the page in PgMedic's repository; point it at your copy)",
            DefaultValueFactory = _ => PrometheusRulesOptions.DefaultRunbookUrl,
        };
        var command = new Command("prometheus-rules", "A Prometheus rule file with the monitor's alert rules (saturation 80/90 %, database-connection-failure, idle-in-transaction, leak-growth, exhaustion-forecast, blocking-chain).")
        {
            config,
            source,
            scrape,
            runbook,
        };
        command.SetAction(async (parseResult, _) =>
        {
            var export = new PrometheusRulesOptions
            {
                Source = parseResult.GetValue(source) == "postgres-exporter" ? MetricsSource.PostgresExporter : MetricsSource.PgMedic,
                ScrapeInterval = parseResult.GetValue(scrape),
                RunbookUrl = parseResult.GetValue(runbook)!,
            };
            var errors = export.Validate();
            foreach (var error in errors)
            {
                await context.Error.WriteLineAsync($"pgmedic: export prometheus-rules: {error}");
            }

            if (errors.Count > 0 || Read(parseResult.GetValue(config), context) is not { } options)
            {
                return (int)ExitCode.Unknown;
            }

            await context.Out.WriteAsync(PrometheusRules.Generate(options.Alerts, options.PollInterval, export));
            return (int)ExitCode.Ok;
        });
        return command;
    }

    private static Command Grafana(CliContext context)
    {
        var config = Config();
        var command = new Command("grafana-dashboard", "A Grafana dashboard (JSON, import it) over pgmedic serve's metrics.") { config };
        command.SetAction(async (parseResult, _) =>
        {
            if (Read(parseResult.GetValue(config), context) is not { } options)
            {
                return (int)ExitCode.Unknown;
            }

            await context.Out.WriteLineAsync(GrafanaDashboard.Generate(options.Alerts));
            return (int)ExitCode.Ok;
        });
        return command;
    }

    private static MonitorOptions? Read(string? path, CliContext context)
    {
        if (path is null)
        {
            return new MonitorOptions { Targets = [], Alerts = new AlertRuleOptions() };
        }

        try
        {
            var environment = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
                .Select(e => (string)e.Key)
                .Where(k => k.StartsWith(MonitorConfigReader.EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
                .Select(k => KeyValuePair.Create(k, context.Environment(k)));
            return MonitorConfigReader.Read(path, environment, context.Environment, context.HomeDirectory, requireTargets: false);
        }
        catch (MonitorConfigException ex)
        {
            foreach (var error in ex.Errors)
            {
                context.Error.WriteLine($"pgmedic: config: {error}");
            }

            return null;
        }
    }
}
