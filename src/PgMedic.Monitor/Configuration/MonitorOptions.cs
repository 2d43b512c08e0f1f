using PgMedic.Core.Alerts;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Remediation;
using PgMedic.Core.Slo;
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

    /// <summary>
    /// Extra names the monitor answers to in the <c>Host</c> header (a DNS name it is reached by); loopback
    /// names and the listen address always work. On a wildcard listen address (0.0.0.0, ::) with none
    /// given, the machine's host name and interface addresses are the names.
    /// </summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];

    /// <summary>
    /// A non-loopback listen address without an access token (or with actions on) is refused unless this
    /// is true: everything would be readable — and with actions, doable — by anyone on the network.
    /// </summary>
    public bool AllowUnauthenticatedNetwork { get; init; }

    /// <summary>Actions accepted per <see cref="ActionRateWindow"/>; more are answered 429.</summary>
    public int ActionRateLimit { get; init; } = 10;

    public TimeSpan ActionRateWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Bound to every interface: 0.0.0.0 or ::.</summary>
    public bool IsWildcard => System.Net.IPAddress.TryParse(Listen, out var address) && (address.Equals(System.Net.IPAddress.Any) || address.Equals(System.Net.IPAddress.IPv6Any));

    public bool IsLoopback => Listen == "localhost" || (System.Net.IPAddress.TryParse(Listen, out var address) && System.Net.IPAddress.IsLoopback(address));

    public string HistoryPath { get; init; } = "pgmedic-history.db";

    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>A PostgreSQL database for the history instead of the SQLite file (<c>history.connection</c>): one history for every shard.</summary>
    public ConnectionTarget? HistoryConnection { get; init; }

    /// <summary>The default availability objective of every target (<c>"slo"</c>); a target may set its own.</summary>
    public SloOptions Slo { get; init; } = new();

    /// <summary>Active session history: how it is sampled, kept and thinned (<c>"sessionHistory"</c>).</summary>
    public SessionHistoryOptions SessionHistory { get; init; } = new();

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

    /// <summary>This target's availability objective (<c>"slo"</c>, else the top-level one).</summary>
    public SloOptions Slo { get; init; } = new();

    /// <summary>Whether this target's sessions are sampled into the active session history.</summary>
    public bool SessionHistory { get; init; } = true;

    /// <summary>How often this target's sessions are sampled; null is the poll interval (each poll's snapshot is the sample, at no extra cost to the server).</summary>
    public TimeSpan? SessionSampleInterval { get; init; }

    /// <summary>The sampling interval in effect.</summary>
    public TimeSpan SampleInterval(TimeSpan pollInterval) => SessionSampleInterval ?? pollInterval;
}

/// <summary>
/// Active session history (<c>"sessionHistory"</c>): every interval, the client sessions counted by state, wait
/// event, application, user, client, database and query fingerprint, with the top sessions; thinned to one
/// sample a minute after <see cref="DownsampleAfter"/>, deleted after <see cref="Retention"/>.
/// </summary>
public sealed record SessionHistoryOptions
{
    /// <summary>Whether a target's sessions are sampled unless it says otherwise (<c>sessionHistory.enabled</c>): also what targets from <c>file_sd</c> files take.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>How often a target's sessions are sampled unless it says otherwise; null is the poll interval.</summary>
    public TimeSpan? Interval { get; init; }

    /// <summary>Sessions kept whole per sample (the longest-held and every one in a lock chain, up to this many).</summary>
    public int TopSessions { get; init; } = 10;

    public TimeSpan DownsampleAfter { get; init; } = TimeSpan.FromDays(1);

    /// <summary>How long samples are kept; null means the history's retention.</summary>
    public TimeSpan? Retention { get; init; }
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
