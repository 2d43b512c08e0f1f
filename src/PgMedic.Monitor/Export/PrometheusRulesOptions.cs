using PgMedic.Core.Common;

namespace PgMedic.Monitor.Export;

/// <summary>Which metrics the exported rules are written over.</summary>
public enum MetricsSource
{
    /// <summary>The <c>pgmedic_*</c> metrics of <c>pgmedic serve</c>'s <c>/metrics</c>.</summary>
    PgMedic,

    /// <summary>postgres_exporter's <c>pg_stat_activity_count</c>, <c>pg_settings_*</c> and <c>pg_up</c>.</summary>
    PostgresExporter,
}

/// <summary>
/// How the exported rules are written. <see cref="ScrapeInterval"/> is the one fact about the user's
/// Prometheus the rules depend on: every range window is sized from it so that it always holds enough
/// scrapes. The default, one minute, is Prometheus's own default, and rules sized for it also hold at
/// shorter intervals (only slower to fire).
/// </summary>
public sealed record PrometheusRulesOptions
{
    /// <summary>Where the exported <c>runbook_url</c> annotations point when not told otherwise: the alerts page of the repository.</summary>
    public const string DefaultRunbookUrl = "docs/alerts.md";

    public MetricsSource Source { get; init; } = MetricsSource.PgMedic;

    public TimeSpan ScrapeInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The page with one section per alert; each rule links to <c>{RunbookUrl}#{alert name}</c>.</summary>
    public string RunbookUrl { get; init; } = DefaultRunbookUrl;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (ScrapeInterval < TimeSpan.FromSeconds(1) || ScrapeInterval.TotalMilliseconds % 1000 != 0)
        {
            errors.Add($"scrape interval must be a whole number of seconds, at least 1s (was {Duration.Format(ScrapeInterval)})");
        }

        if (string.IsNullOrWhiteSpace(RunbookUrl) || RunbookUrl.Any(char.IsWhiteSpace) || RunbookUrl.Contains('#', StringComparison.Ordinal))
        {
            errors.Add($"runbook URL must be a page address without spaces or '#' (each alert adds its own #anchor) (was '{RunbookUrl}')");
        }

        return errors;
    }
}
