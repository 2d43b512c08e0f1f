using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using PgMedic.Core.Alerts;
using PgMedic.Core.Common;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Remediation;
using PgMedic.Core.Secrets;
using PgMedic.Core.Slo;
using PgMedic.Postgres.Targets;
using PgMedic.Shared;

namespace PgMedic.Monitor.Configuration;

/// <summary>The configuration is invalid: <see cref="Errors"/> lists every problem, one line each, none holding a password.</summary>
public sealed class MonitorConfigException : Exception
{
    public MonitorConfigException(IReadOnlyList<string> errors)
        : base("invalid configuration: " + string.Join("; ", errors)) => Errors = errors;

    public MonitorConfigException()
    {
    }

    public MonitorConfigException(string message)
        : base(message) => Errors = [message];

    public MonitorConfigException(string message, Exception innerException)
        : base(message, innerException) => Errors = [message];

    public IReadOnlyList<string> Errors { get; } = [];
}

/// <summary>
/// Reads pgmedic.json, then <c>PGMEDIC_</c>-prefixed environment variables over it in the .NET convention
/// (<c>PGMEDIC_accessToken</c>, <c>PGMEDIC_targets__0__connection</c>), and checks everything at once.
/// </summary>
public static partial class MonitorConfigReader
{
    public const string EnvironmentPrefix = "PGMEDIC_";

    /// <param name="environment">The process environment (only <c>PGMEDIC_*</c> entries are used).</param>
    /// <param name="resolveEnvironment">Reads one variable for target resolution (PGPASSFILE and the libpq defaults).</param>
    /// <exception cref="MonitorConfigException">Every error found.</exception>
    public static MonitorOptions Read(string? path, IEnumerable<KeyValuePair<string, string?>> environment, Func<string, string?> resolveEnvironment, string? homeDirectory, bool requireTargets = true)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var builder = new ConfigurationBuilder();
        IReadOnlyList<string> unknown = [];
        if (path is not null)
        {
            var full = Path.GetFullPath(path);
            if (!File.Exists(full))
            {
                throw new MonitorConfigException($"the configuration file '{path}' does not exist");
            }

            builder.AddJsonFile(full, optional: false, reloadOnChange: false);
            unknown = UnknownKeys(full, path);
        }

        builder.AddInMemoryCollection(environment
            .Where(e => e.Key.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase) && e.Key.Length > EnvironmentPrefix.Length)
            .Select(e => KeyValuePair.Create(e.Key[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal), e.Value)));
        IConfigurationRoot root;
        try
        {
            root = builder.Build();
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or System.Text.Json.JsonException)
        {
            throw new MonitorConfigException($"the configuration file '{path}' is not valid JSON: {(ex.InnerException ?? ex).Message.ReplaceLineEndings(" ")}");
        }

        try
        {
            var options = Read(root, resolveEnvironment, homeDirectory, requireTargets);
            return unknown.Count == 0 ? options : throw new MonitorConfigException(unknown);
        }
        catch (MonitorConfigException ex) when (unknown.Count > 0 && ex.Errors != unknown)
        {
            throw new MonitorConfigException([.. unknown, .. ex.Errors]);
        }
    }

    /// <summary>Unknown keys of the file itself: <c>PGMEDIC_*</c> variables are not checked, as other tools share the prefix.</summary>
    private static IReadOnlyList<string> UnknownKeys(string full, string path)
    {
        try
        {
            var file = new ConfigurationBuilder().AddJsonFile(full, optional: false, reloadOnChange: false).Build();
            return ConfigKeys.Unknown(file).Select(e => $"{path}: {e}").ToList();
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or System.Text.Json.JsonException)
        {
            return [];
        }
    }

    public static MonitorOptions Read(IConfiguration config, Func<string, string?> resolveEnvironment, string? homeDirectory, bool requireTargets = true)
    {
        ArgumentNullException.ThrowIfNull(config);
        var errors = new List<string>();
        var reader = new Reader(errors);
        var defaults = new MonitorOptions { Targets = [] };
        var alerts = ReadAlerts(config.GetSection("alerts"), reader);
        var interval = reader.Duration(config, "pollInterval", defaults.PollInterval);
        if (interval < TimeSpan.FromMilliseconds(100) || interval > TimeSpan.FromHours(1))
        {
            errors.Add($"pollInterval must be between 100ms and 1h (was {Duration.Format(interval)})");
        }

        var timeout = reader.Duration(config, "timeout", defaults.Timeout);
        if (timeout < TimeSpan.FromMilliseconds(100) || timeout > TimeSpan.FromMinutes(10))
        {
            errors.Add($"timeout must be between 100ms and 10m (was {Duration.Format(timeout)}): it bounds each connection attempt and collection");
        }

        var slo = ReadSlo(config.GetSection("slo"), new SloOptions(), reader);
        errors.AddRange(slo.Validate("slo"));
        var sessions = config.GetSection("sessionHistory");
        var retention = reader.Duration(config.GetSection("history"), "retention", defaults.Retention);
        TimeSpan? ownRetention = sessions["retention"] is null ? null : reader.Duration(sessions, "retention", retention);
        var sessionRetention = ownRetention ?? retention;
        var downsampleDefault = defaults.SessionHistory.DownsampleAfter < sessionRetention ? defaults.SessionHistory.DownsampleAfter : sessionRetention;
        var sessionHistory = new SessionHistoryOptions
        {
            TopSessions = reader.Int(sessions, "topSessions", defaults.SessionHistory.TopSessions),
            DownsampleAfter = reader.Duration(sessions, "downsampleAfter", downsampleDefault),
            Retention = ownRetention,
        };
        if (sessionHistory.TopSessions is < 1 or > 100)
        {
            errors.Add($"sessionHistory.topSessions must be between 1 and 100 (was {sessionHistory.TopSessions})");
        }

        if (retention < TimeSpan.FromHours(1) || sessionRetention < TimeSpan.FromHours(1))
        {
            errors.Add($"history.retention and sessionHistory.retention must be at least 1h (were {Duration.Format(retention)} and {Duration.Format(sessionRetention)})");
        }
        if (sessionHistory.DownsampleAfter < TimeSpan.FromMinutes(10) || sessionHistory.DownsampleAfter > sessionRetention)
        {
            errors.Add($"sessionHistory.downsampleAfter must be between 10m and the session history's retention {Duration.Format(sessionRetention)} (was {Duration.Format(sessionHistory.DownsampleAfter)})");
        }

        var defaultSampling = new TargetSampling(reader.Bool(sessions, "enabled", true), ReadInterval(sessions, "sessionHistory", reader));
        sessionHistory = sessionHistory with { Enabled = defaultSampling.Enabled, Interval = defaultSampling.Interval };
        var targets = new List<MonitoredTarget>();
        var targetSections = config.GetSection("targets").GetChildren().ToList();
        var targetDirectory = config["targetDirectory"] is { Length: > 0 } directoryText ? Path.GetFullPath(directoryText) : null;
        if (targetSections.Count == 0 && targetDirectory is null && requireTargets)
        {
            errors.Add("targets: at least one target is needed, e.g. \"targets\": [{ \"name\": \"shop\", \"connection\": \"postgres://monitor@db:5432/shop\" }], or a \"targetDirectory\" of file_sd files");
        }

        var poll = ParsePoll(config["poll"] ?? "interval");
        if (poll is null)
        {
            errors.Add($"poll '{config["poll"]}' is not interval (every pollInterval) or scrape (only when /probe scrapes the target)");
        }

        foreach (var section in targetSections)
        {
            if (ReadTarget(section, alerts, slo, defaultSampling, reader, resolveEnvironment, homeDirectory) is { } target)
            {
                targets.Add(target);
            }
        }

        foreach (var duplicate in targets.GroupBy(t => t.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add($"targets: the name '{duplicate.Key}' is used {duplicate.Count()} times; names must be unique");
        }

        if (targetDirectory is not null && requireTargets)
        {
            var (all, fileErrors) = new Targets.TargetDirectory(targetDirectory, new TargetDefaults(alerts, slo, defaultSampling.Enabled, defaultSampling.Interval), resolveEnvironment, homeDirectory).Scan(targets, reparse: true);
            errors.AddRange(fileErrors.Select(e => $"targetDirectory: {e.Error}"));
            targets = [.. all ?? targets];
        }

        var shard = Shards.ShardOptions.Single;
        if (config["shard"] is { Length: > 0 } shardText)
        {
            var (parsed, shardError) = Shards.ShardOptions.Parse(shardText);
            if (shardError is not null)
            {
                errors.Add($"shard {shardError}");
            }

            shard = parsed ?? shard;
        }

        if (config["shardUrl"] is { Length: > 0 } shardUrl)
        {
            if (!Uri.TryCreate(shardUrl.Replace("{shard}", "0", StringComparison.Ordinal), UriKind.Absolute, out var peer) || peer.Scheme is not ("http" or "https") || !shardUrl.Contains("{shard}", StringComparison.Ordinal))
            {
                errors.Add($"shardUrl '{UrlUserInfo.Mask(shardUrl)}' is not an http(s) URL with {{shard}} where the shard's number goes, e.g. http://pgmedic-{{shard}}.pgmedic:9733/");
            }

            shard = shard with { PeerUrl = shardUrl };
        }

        var webhooks = config.GetSection("webhooks").GetChildren().Select(s => ReadWebhook(s, reader)).OfType<WebhookOptions>().ToList();
        foreach (var duplicate in webhooks.GroupBy(w => w.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add($"webhooks: the name '{duplicate.Key}' is used {duplicate.Count()} times; names must be unique");
        }

        var listen = config["listen"] ?? defaults.Listen;
        if (!System.Net.IPAddress.TryParse(listen, out _) && listen != "localhost")
        {
            errors.Add($"listen '{listen}' is not an IP address (e.g. 127.0.0.1, or 0.0.0.0 to listen on every interface)");
        }

        var port = reader.Int(config, "port", defaults.Port);
        if (port is < 0 or > 65535)
        {
            errors.Add($"port must be between 0 and 65535 (was {port})");
        }

        var token = config["accessToken"];
        if (token is { Length: > 0 and < 16 })
        {
            errors.Add("accessToken must be at least 16 characters long");
        }

        var readOnly = reader.Bool(config, "readOnly", defaults.ReadOnly);
        if (!readOnly && string.IsNullOrEmpty(token))
        {
            errors.Add("readOnly is false but no accessToken is set: actions need a bearer token");
        }

        var allowUnauthenticated = reader.Bool(config, "allowUnauthenticatedNetwork", false);
        var loopback = listen == "localhost" || (System.Net.IPAddress.TryParse(listen, out var listenAddress) && System.Net.IPAddress.IsLoopback(listenAddress));
        if (!loopback && string.IsNullOrEmpty(token) && !allowUnauthenticated)
        {
            errors.Add($"listen '{listen}' is reachable from the network but no accessToken is set: anyone could read every session and query; set an accessToken (or \"allowUnauthenticatedNetwork\": true if a proxy in front authenticates)");
        }

        var allowedHosts = Strings(config.GetSection("allowedHosts"));
        foreach (var host in allowedHosts.Where(h => Uri.CheckHostName(h.Trim('[', ']')) == UriHostNameType.Unknown))
        {
            errors.Add($"allowedHosts: '{host}' is not a host name or IP address");
        }

        var rate = config.GetSection("actionRateLimit");
        var actionRateLimit = reader.Int(rate, "permits", defaults.ActionRateLimit);
        var actionRateWindow = reader.Duration(rate, "window", defaults.ActionRateWindow);
        if (actionRateLimit is < 1 or > 10_000)
        {
            errors.Add($"actionRateLimit.permits must be between 1 and 10000 (was {actionRateLimit})");
        }

        if (actionRateWindow < TimeSpan.FromSeconds(1) || actionRateWindow > TimeSpan.FromHours(1))
        {
            errors.Add($"actionRateLimit.window must be between 1s and 1h (was {Duration.Format(actionRateWindow)})");
        }

        ConnectionTarget? historyConnection = null;
        if (config.GetSection("history")["connection"] is { Length: > 0 } historyText)
        {
            try
            {
                historyConnection = TargetResolver.Resolve(historyText, resolveEnvironment, homeDirectory);
            }
            catch (TargetException ex)
            {
                errors.Add($"history.connection: {ex.Message}");
            }

            if (config.GetSection("history")["path"] is not null)
            {
                errors.Add("history.path and history.connection exclude each other: the history is either a SQLite file or a PostgreSQL database");
            }
        }

        var delivery = config.GetSection("delivery");
        var options = new MonitorOptions
        {
            Targets = targets,
            PollInterval = interval,
            Timeout = timeout,
            Alerts = alerts,
            Webhooks = webhooks,
            Delivery = new DeliveryOptions
            {
                InitialBackoff = reader.Duration(delivery, "initialBackoff", defaults.Delivery.InitialBackoff),
                MaxBackoff = reader.Duration(delivery, "maxBackoff", defaults.Delivery.MaxBackoff),
                GiveUpAfter = reader.Duration(delivery, "giveUpAfter", defaults.Delivery.GiveUpAfter),
                RequestTimeout = reader.Duration(delivery, "requestTimeout", defaults.Delivery.RequestTimeout),
            },
            Listen = listen,
            Port = port,
            AccessToken = string.IsNullOrEmpty(token) ? null : token,
            ReadOnly = readOnly,
            AllowedHosts = allowedHosts,
            AllowUnauthenticatedNetwork = allowUnauthenticated,
            ActionRateLimit = actionRateLimit,
            ActionRateWindow = actionRateWindow,
            HistoryPath = config.GetSection("history")["path"] ?? defaults.HistoryPath,
            Retention = retention,
            Slo = slo,
            SessionHistory = sessionHistory,
            HistoryConnection = historyConnection,
            AuditLogPath = config["auditLog"],
            Poll = poll ?? PollMode.Interval,
            TargetDirectory = targetDirectory,
            Shard = shard,
            TargetEnvironment = resolveEnvironment,
            HomeDirectory = homeDirectory,
        };
        if (options.Delivery.MaxBackoff < options.Delivery.InitialBackoff)
        {
            errors.Add("delivery.maxBackoff is below delivery.initialBackoff");
        }

        if (options.AuditLogPath is { } auditLog && Postgres.Remediation.AuditLog.Problem(auditLog) is { } auditProblem)
        {
            errors.Add($"auditLog: {auditProblem}");
        }

        errors.AddRange(alerts.Validate());
        if (errors.Count > 0)
        {
            // Errors quote what was given, and a value in the wrong key may be a URL with a password.
            throw new MonitorConfigException(errors.Select(SecretText.Scrub).ToList());
        }

        return options;
    }

    private static AlertRuleOptions ReadAlerts(IConfigurationSection section, Reader reader)
    {
        var d = new AlertRuleOptions();
        var saturation = section.GetSection("connectionSaturation");
        var failure = section.GetSection("databaseConnectionFailure");
        var idle = section.GetSection("idleInTransaction");
        var leak = section.GetSection("leakGrowth");
        var forecast = section.GetSection("exhaustionForecast");
        var blocking = section.GetSection("blockingChain");
        var burn = section.GetSection("sloBurnRate");
        return new AlertRuleOptions
        {
            ConnectionSaturation = new SaturationRuleOptions
            {
                Enabled = reader.Bool(saturation, "enabled", true),
                For = reader.Duration(saturation, "for", d.ConnectionSaturation.For),
                WarningPercent = reader.Double(saturation, "warningPercent", d.ConnectionSaturation.WarningPercent),
                CriticalPercent = reader.Double(saturation, "criticalPercent", d.ConnectionSaturation.CriticalPercent),
                HysteresisPercent = reader.Double(saturation, "hysteresisPercent", d.ConnectionSaturation.HysteresisPercent),
            },
            DatabaseConnectionFailure = new FailureRuleOptions
            {
                Enabled = reader.Bool(failure, "enabled", true),
                Window = reader.Duration(failure, "window", d.DatabaseConnectionFailure.Window),
                For = reader.Duration(failure, "for", failure["window"] is not null ? reader.Duration(failure, "window", d.DatabaseConnectionFailure.Window) : d.DatabaseConnectionFailure.For),
                Ratio = reader.Double(failure, "ratio", d.DatabaseConnectionFailure.Ratio),
            },
            IdleInTransaction = new FindingRuleOptions { Enabled = reader.Bool(idle, "enabled", true), For = reader.Duration(idle, "for", TimeSpan.Zero) },
            BlockingChain = new FindingRuleOptions { Enabled = reader.Bool(blocking, "enabled", true), For = reader.Duration(blocking, "for", TimeSpan.Zero) },
            SloBurnRate = new SloBurnRateRuleOptions { Enabled = reader.Bool(burn, "enabled", true), For = reader.Duration(burn, "for", TimeSpan.Zero) },
            LeakGrowth = new LeakGrowthRuleOptions
            {
                Enabled = reader.Bool(leak, "enabled", true),
                For = reader.Duration(leak, "for", TimeSpan.Zero),
                Samples = reader.Int(leak, "samples", d.LeakGrowth.Samples),
                MinGrowth = reader.Int(leak, "minGrowth", d.LeakGrowth.MinGrowth),
            },
            ExhaustionForecast = new ForecastRuleOptions
            {
                Enabled = reader.Bool(forecast, "enabled", true),
                For = reader.Duration(forecast, "for", TimeSpan.Zero),
                Horizon = reader.Duration(forecast, "horizon", d.ExhaustionForecast.Horizon),
                Window = reader.Duration(forecast, "window", d.ExhaustionForecast.Window),
                MinSamples = reader.Int(forecast, "minSamples", d.ExhaustionForecast.MinSamples),
                MinPercent = reader.Double(forecast, "minPercent", d.ExhaustionForecast.MinPercent),
            },
        };
    }

    private static SloOptions ReadSlo(IConfigurationSection section, SloOptions fallback, Reader reader) => new()
    {
        ObjectivePercent = reader.Double(section, "objective", fallback.ObjectivePercent),
        Window = reader.Duration(section, "window", fallback.Window),
    };

    /// <summary>A sampling interval: 1 s to 1 h, or null (absent) for the poll interval.</summary>
    private static TimeSpan? ReadInterval(IConfigurationSection section, string where, Reader reader)
    {
        if (section["interval"] is null)
        {
            return null;
        }

        var interval = reader.Duration(section, "interval", TimeSpan.FromSeconds(1));
        if (interval < TimeSpan.FromSeconds(1) || interval > TimeSpan.FromHours(1))
        {
            reader.Errors.Add($"{where}.interval must be between 1s and 1h (was {Duration.Format(interval)}); leave it out to sample at every poll");
        }

        return interval;
    }

    /// <summary>Whether and how often a target's sessions are sampled.</summary>
    private sealed record TargetSampling(bool Enabled, TimeSpan? Interval);

    private static MonitoredTarget? ReadTarget(IConfigurationSection section, AlertRuleOptions alerts, SloOptions slo, TargetSampling sampling, Reader reader, Func<string, string?> resolveEnvironment, string? home)
    {
        var errors = reader.Errors;
        var where = $"targets[{section.Key}]";
        var name = section["name"];
        if (string.IsNullOrWhiteSpace(name))
        {
            errors.Add($"{where}.name is missing");
        }
        else if (!TargetName().IsMatch(name))
        {
            errors.Add($"{where}.name '{name}' may hold only letters, digits, '.', '_' and '-' (it is used in URLs and metric labels)");
        }

        where = name is { Length: > 0 } ? $"targets[{section.Key}] ({name})" : where;
        ConnectionTarget? connection = null;
        var text = section["connection"];
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add($"{where}.connection is missing: a postgres:// URL, libpq conninfo or Npgsql connection string");
        }
        else
        {
            try
            {
                connection = TargetResolver.Resolve(text, resolveEnvironment, home);
            }
            catch (TargetException ex)
            {
                errors.Add($"{where}.connection: {ex.Message}");
            }
        }

        var t = section.GetSection("thresholds");
        var d = new DiagnosisOptions();
        var thresholds = new DiagnosisOptions
        {
            SaturationWarningPercent = reader.Double(t, "warningPercent", alerts.ConnectionSaturation.WarningPercent),
            SaturationCriticalPercent = reader.Double(t, "criticalPercent", alerts.ConnectionSaturation.CriticalPercent),
            IdleInTransactionWarning = reader.Duration(t, "idleInTransactionWarning", d.IdleInTransactionWarning),
            IdleInTransactionCritical = reader.Duration(t, "idleInTransactionCritical", d.IdleInTransactionCritical),
            HoardingIdleFor = reader.Duration(t, "idleFor", d.HoardingIdleFor),
            LongQueryWarning = reader.Duration(t, "longQueryWarning", d.LongQueryWarning),
            LongQueryCritical = reader.Duration(t, "longQueryCritical", d.LongQueryCritical),
            BlockingWarning = reader.Duration(t, "blockingWarning", d.BlockingWarning),
            BlockingCritical = reader.Duration(t, "blockingCritical", d.BlockingCritical),
        };
        // Saturation thresholds a target does not set come from alerts.connectionSaturation, whose errors are reported there once.
        var inherited = t["warningPercent"] is null && t["criticalPercent"] is null;
        var own = inherited ? thresholds with { SaturationWarningPercent = d.SaturationWarningPercent, SaturationCriticalPercent = d.SaturationCriticalPercent } : thresholds;
        errors.AddRange(own.Validate().Select(e => $"{where}.thresholds: {e}"));

        var endpoints = new List<Uri>();
        foreach (var endpoint in section.GetSection("poolEndpoints").GetChildren())
        {
            // Shown masked: an endpoint URL may carry credentials.
            var shown = UrlUserInfo.Mask(endpoint.Value ?? string.Empty);
            if (!Uri.TryCreate(endpoint.Value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                errors.Add($"{where}.poolEndpoints[{endpoint.Key}]: '{shown}' is not an http(s) URL of a service's /health/pool");
            }
            else if (endpoints.Contains(uri))
            {
                errors.Add($"{where}.poolEndpoints[{endpoint.Key}]: '{shown}' is listed twice: list each service's endpoint once");
            }
            else
            {
                endpoints.Add(uri);
            }
        }

        var h = section.GetSection("heal");
        var healDefaults = new HealOptions();
        var heal = new HealOptions
        {
            IdleInTransactionFor = reader.Duration(h, "idleInTransactionFor", healDefaults.IdleInTransactionFor),
            IdleFor = reader.Duration(h, "idleFor", healDefaults.IdleFor),
            BlockingWaitingFor = reader.Duration(h, "waitingFor", healDefaults.BlockingWaitingFor),
        };
        var g = section.GetSection("guardrails");
        var guardrails = new GuardrailOptions
        {
            IncludeSuperusers = reader.Bool(g, "includeSuperusers", false),
            AppRoles = Strings(g.GetSection("appRoles")),
            ProtectedUsers = Strings(g.GetSection("protectUsers")),
            ProtectedApplications = Strings(g.GetSection("protectApplications")),
            Databases = Strings(g.GetSection("databases")),
            AllDatabases = reader.Bool(g, "allDatabases", false),
            MaxActions = reader.Int(g, "maxActions", new GuardrailOptions().MaxActions),
        };
        if (guardrails.MaxActions < 1)
        {
            errors.Add($"{where}.guardrails.maxActions must be at least 1 (was {guardrails.MaxActions})");
        }

        if (guardrails.AllDatabases && guardrails.Databases.Count > 0)
        {
            errors.Add($"{where}.guardrails: allDatabases and databases exclude each other: pick one");
        }

        var targetSlo = ReadSlo(section.GetSection("slo"), slo, reader);
        if (section.GetSection("slo").Exists())
        {
            errors.AddRange(targetSlo.Validate($"{where}.slo"));
        }

        var sessions = section.GetSection("sessionHistory");
        var sessionInterval = sessions["interval"] is null ? sampling.Interval : ReadInterval(sessions, $"{where}.sessionHistory", reader);
        var sessionsEnabled = reader.Bool(sessions, "enabled", sampling.Enabled);
        if (connection is null || string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var targetAlerts = alerts with
        {
            ConnectionSaturation = alerts.ConnectionSaturation with { WarningPercent = thresholds.SaturationWarningPercent, CriticalPercent = thresholds.SaturationCriticalPercent },
        };
        PollMode? poll = null;
        if (section["poll"] is { } pollText)
        {
            poll = ParsePoll(pollText);
            if (poll is null)
            {
                errors.Add($"{where}.poll '{pollText}' is not interval or scrape");
            }
        }

        return new MonitoredTarget(name, connection, thresholds, targetAlerts, endpoints, section["poolToken"])
        {
            Heal = heal,
            Guardrails = guardrails,
            Poll = poll,
            Slo = targetSlo,
            SessionHistory = sessionsEnabled,
            SessionSampleInterval = sessionInterval,
        };
    }

    private static WebhookOptions? ReadWebhook(IConfigurationSection section, Reader reader)
    {
        var where = $"webhooks[{section.Key}]";
        var name = section["name"] ?? $"webhook-{section.Key}";
        var url = section["url"];
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            reader.Errors.Add($"{where}.url '{url}' is not an http(s) URL");
            uri = null;
        }

        var formatText = section["format"] ?? "generic";
        WebhookFormat? format = formatText.ToLowerInvariant() switch
        {
            "generic" or "json" => WebhookFormat.Generic,
            "slack" => WebhookFormat.Slack,
            _ => null,
        };
        if (format is null)
        {
            reader.Errors.Add($"{where}.format '{formatText}' is not one of generic, slack");
        }

        var headers = section.GetSection("headers").GetChildren().Where(h => h.Value is not null).ToDictionary(h => h.Key, h => h.Value!, StringComparer.OrdinalIgnoreCase);
        return uri is null || format is null ? null : new WebhookOptions(name, uri, format.Value, headers);
    }

    /// <summary>A target name as URLs and metric labels take it: letters, digits, '.', '_', '-', at most 64.</summary>
    internal static bool IsTargetName(string name) => TargetName().IsMatch(name);

    internal static PollMode? ParsePoll(string text) => text.Trim().ToLowerInvariant() switch
    {
        "interval" => PollMode.Interval,
        "scrape" => PollMode.Scrape,
        _ => null,
    };

    /// <summary>A target with nothing but a name and a connection: the configuration's alert rules, objective and session sampling, diagnose's other thresholds, heal's defaults.</summary>
    internal static MonitoredTarget DefaultTarget(string name, ConnectionTarget connection, TargetDefaults defaults)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        var alerts = defaults.Alerts;
        var thresholds = new DiagnosisOptions
        {
            SaturationWarningPercent = alerts.ConnectionSaturation.WarningPercent,
            SaturationCriticalPercent = alerts.ConnectionSaturation.CriticalPercent,
        };
        return new MonitoredTarget(name, connection, thresholds, alerts, [], null)
        {
            Slo = defaults.Slo,
            SessionHistory = defaults.SessionHistory,
            SessionSampleInterval = defaults.SessionSampleInterval,
        };
    }

    private static string[] Strings(IConfigurationSection section) =>
        section.GetChildren().Select(c => c.Value).OfType<string>().ToArray();

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex TargetName();

    private sealed class Reader(List<string> errors)
    {
        public List<string> Errors => errors;

        public TimeSpan Duration(IConfiguration section, string key, TimeSpan fallback)
        {
            var text = section[key];
            if (text is null)
            {
                return fallback;
            }

            if (Core.Common.Duration.TryParse(text, out var value) && value >= TimeSpan.Zero)
            {
                return value;
            }

            errors.Add($"{PathOf(section, key)} '{text}' is not a duration: use e.g. 500ms, 30s, 5m, 1h30m or 7d");
            return fallback;
        }

        public double Double(IConfiguration section, string key, double fallback)
        {
            var text = section[key];
            if (text is null)
            {
                return fallback;
            }

            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
            {
                return value;
            }

            errors.Add($"{PathOf(section, key)} '{text}' is not a number");
            return fallback;
        }

        public int Int(IConfiguration section, string key, int fallback)
        {
            var text = section[key];
            if (text is null)
            {
                return fallback;
            }

            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }

            errors.Add($"{PathOf(section, key)} '{text}' is not a whole number");
            return fallback;
        }

        public bool Bool(IConfiguration section, string key, bool fallback)
        {
            var text = section[key];
            if (text is null)
            {
                return fallback;
            }

            if (bool.TryParse(text, out var value))
            {
                return value;
            }

            errors.Add($"{PathOf(section, key)} '{text}' is not true or false");
            return fallback;
        }

        private static string PathOf(IConfiguration section, string key) =>
            section is IConfigurationSection s ? $"{s.Path.Replace(':', '.')}.{key}" : key;
    }
}
