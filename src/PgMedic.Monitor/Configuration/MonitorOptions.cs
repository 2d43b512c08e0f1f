using PgMedic.Core.Alerts;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Remediation;
using PgMedic.Postgres.Targets;

namespace PgMedic.Monitor.Configuration;

/// <summary>Everything <c>pgmedic serve</c> runs with, read from pgmedic.json and PGMEDIC_* variables (docs/commands/serve.md).</summary>
public sealed record MonitorOptions
{
    public const int DefaultPort = 9733;

    public required IReadOnlyList<MonitoredTarget> Targets { get; init; }

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Bounds each connection attempt and each collection.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    public AlertRuleOptions Alerts { get; init; } = new();

    public IReadOnlyList<WebhookOptions> Webhooks { get; init; } = [];

    public DeliveryOptions Delivery { get; init; } = new();

    /// <summary>An IP address to listen on; loopback unless told otherwise.</summary>
    public string Listen { get; init; } = "127.0.0.1";

    /// <summary>0 picks a free port (printed at start-up).</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>When set, every endpoint but <c>/health</c> needs <c>Authorization: Bearer …</c>.</summary>
    public string? AccessToken { get; init; }

    /// <summary>Actions (heal plan, terminate a session) are refused unless this is false; then they need the token.</summary>
    public bool ReadOnly { get; init; } = true;

    /// <summary>Extra names the monitor answers to in the <c>Host</c> header (a DNS name it is reached by); loopback names and the listen address always work.</summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];

    /// <summary>
    /// A non-loopback listen address without an access token (or with actions on) is refused unless this
    /// is true: everything would be readable — and with actions, doable — by anyone on the network.
    /// </summary>
    public bool AllowUnauthenticatedNetwork { get; init; }

    /// <summary>Actions accepted per <see cref="ActionRateWindow"/>; more are answered 429.</summary>
    public int ActionRateLimit { get; init; } = 10;

    public TimeSpan ActionRateWindow { get; init; } = TimeSpan.FromMinutes(1);

    public bool IsLoopback => Listen == "localhost" || (System.Net.IPAddress.TryParse(Listen, out var address) && System.Net.IPAddress.IsLoopback(address));

    public string HistoryPath { get; init; } = "pgmedic-history.db";

    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>A PostgreSQL database for the history instead of the SQLite file (<c>history.connection</c>): one history for every shard.</summary>
    public ConnectionTarget? HistoryConnection { get; init; }

    /// <summary>Where actions are audited (JSON lines); default is the CLI's audit log.</summary>
    public string? AuditLogPath { get; init; }

    /// <summary>When targets not marked otherwise are polled: every <see cref="PollInterval"/>, or only when <c>/probe</c> scrapes them.</summary>
    public PollMode Poll { get; init; } = PollMode.Interval;

    /// <summary>A directory of Prometheus <c>file_sd</c> files (JSON or YAML) whose targets are added to <see cref="Targets"/> and followed live; null for none.</summary>
    public string? TargetDirectory { get; init; }

    /// <summary>This instance's share of the targets (<c>serve --shard I/N</c>); one shard of one by default.</summary>
    public Shards.ShardOptions Shard { get; init; } = Shards.ShardOptions.Single;

    /// <summary>Reads a variable for the targets of <see cref="TargetDirectory"/> (PGPASSWORD, PGPASSFILE, <c>password_env</c>); the process's by default.</summary>
    public Func<string, string?> TargetEnvironment { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>Where <c>~/.pgpass</c> is looked for, for the targets of <see cref="TargetDirectory"/>.</summary>
    public string? HomeDirectory { get; init; }
}

/// <summary>When a target is polled.</summary>
public enum PollMode
{
    /// <summary>Every <c>pollInterval</c>, on the monitor's own timer (and also when <c>/probe</c> scrapes it).</summary>
    Interval,

    /// <summary>Only when <c>/probe</c> scrapes it: the scraper's interval is the poll interval, and an idle target costs nothing.</summary>
    Scrape,
}

/// <summary>One server the monitor watches.</summary>
/// <param name="Name">Used in URLs, metric labels and alert names: letters, digits, '.', '_', '-'.</param>
/// <param name="Thresholds">The target's diagnose thresholds (findings, idle-in-transaction and blocking alerts).</param>
/// <param name="Alerts">The alert rules for this target (the global rules with the target's saturation thresholds).</param>
/// <param name="PoolEndpoints">PgMedic.Guard <c>/health/pool</c> URLs of services using this server; holders are joined to sessions by backend PID.</param>
public sealed record MonitoredTarget(
    string Name,
    ConnectionTarget Connection,
    DiagnosisOptions Thresholds,
    AlertRuleOptions Alerts,
    IReadOnlyList<Uri> PoolEndpoints,
    string? PoolToken)
{
    /// <summary>The connection as shown anywhere: the password masked.</summary>
    public string Masked => Connection.Masked;

    /// <summary>The thresholds of this target's heal action (<c>"heal"</c> in the config).</summary>
    public HealOptions Heal { get; init; } = new();

    /// <summary>The guardrails of this target's actions (<c>"guardrails"</c> in the config).</summary>
    public GuardrailOptions Guardrails { get; init; } = new();

    /// <summary>When this target is polled; null follows the configuration's <c>poll</c>.</summary>
    public PollMode? Poll { get; init; }

    /// <summary>Where the target was declared: null for the configuration file, else the <c>file_sd</c> file's path.</summary>
    public string? SourceFile { get; init; }
}

public enum WebhookFormat
{
    /// <summary>A JSON document with every field of the alert change.</summary>
    Generic,

    /// <summary>A Slack incoming-webhook body (<c>text</c> and <c>blocks</c>), also accepted by Mattermost and Rocket.Chat.</summary>
    Slack,
}

public sealed record WebhookOptions(string Name, Uri Url, WebhookFormat Format, IReadOnlyDictionary<string, string> Headers);

/// <summary>How the outbox retries a webhook that fails: exponential backoff from <see cref="InitialBackoff"/> to <see cref="MaxBackoff"/>.</summary>
public sealed record DeliveryOptions
{
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A notification still undelivered after this long is given up (and logged).</summary>
    public TimeSpan GiveUpAfter { get; init; } = TimeSpan.FromDays(1);

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
