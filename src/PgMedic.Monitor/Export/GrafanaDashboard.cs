using System.Text.Json;
using System.Text.Json.Nodes;
using PgMedic.Core.Alerts;

namespace PgMedic.Monitor.Export;

/// <summary>
/// A Grafana dashboard over the <c>pgmedic_*</c> metrics, laid out like the monitor's own: usage gauge
/// with the 80 / 90 % bands, connections by state against usable slots, connection failure rate,
/// probe latency, top applications and firing alerts, with a <c>target</c> variable.
/// </summary>
public static class GrafanaDashboard
{
    public static string Generate(AlertRuleOptions rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var warning = rules.ConnectionSaturation.WarningPercent;
        var critical = rules.ConnectionSaturation.CriticalPercent;
        var window = PrometheusRules.Range(rules.DatabaseConnectionFailure.Window);
        var panels = new JsonArray(
            Panel(1, "gauge", "Connections used (% of usable slots)", 0, 0, 6, 8, [Target("pgmedic_connections_used_percent{target=~\"$target\"}", "{{target}}")],
                Thresholds(warning, critical), unit: "percent", max: 100),
            Panel(2, "timeseries", "Connections by state vs usable slots", 6, 0, 12, 8,
                [Target("sum by (state) (pgmedic_connections{target=~\"$target\"})", "{{state}}"), Target("sum(pgmedic_usable_slots{target=~\"$target\"})", "usable slots")]),
            Panel(3, "stat", "Alerts firing", 18, 0, 6, 8, [Target("sum by (alert, severity) (pgmedic_alerts_firing{target=~\"$target\"})", "{{alert}} ({{severity}})")]),
            Panel(4, "timeseries", $"Connection failure rate ({window} window)", 0, 8, 12, 8,
                [Target($"increase(pgmedic_probe_failures_total{{target=~\"$target\"}}[{window}]) / clamp_min(increase(pgmedic_probe_attempts_total{{target=~\"$target\"}}[{window}]), 1)", "{{target}}")],
                Thresholds(rules.DatabaseConnectionFailure.Ratio, 1), unit: "percentunit"),
            Panel(5, "timeseries", "Fresh connection latency", 12, 8, 12, 8, [Target("pgmedic_probe_latency_seconds{target=~\"$target\"}", "{{target}}")], unit: "s"),
            Panel(6, "bargauge", "Top applications", 0, 16, 24, 8, [Target("topk(10, sum by (application) (pgmedic_connections_by_application{target=~\"$target\"}))", "{{application}}")]));
        var dashboard = new JsonObject
        {
            ["title"] = "PgMedic - Database Health",
            ["uid"] = "pgmedic-database-health",
            ["tags"] = new JsonArray("postgresql", "pgmedic"),
            ["timezone"] = "browser",
            ["schemaVersion"] = 39,
            ["refresh"] = "10s",
            ["time"] = new JsonObject { ["from"] = "now-1h", ["to"] = "now" },
            ["__inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = "DS_PROMETHEUS", ["label"] = "Prometheus", ["type"] = "datasource", ["pluginId"] = "prometheus", ["pluginName"] = "Prometheus",
            }),
            ["templating"] = new JsonObject
            {
                ["list"] = new JsonArray(new JsonObject
                {
                    ["name"] = "target",
                    ["label"] = "Target",
                    ["type"] = "query",
                    ["datasource"] = DataSource(),
                    ["query"] = "label_values(pgmedic_usable_slots, target)",
                    ["includeAll"] = true,
                    ["multi"] = true,
                    ["current"] = new JsonObject { ["text"] = "All", ["value"] = "$__all" },
                }),
            },
            ["panels"] = panels,
        };
        // A JsonNode tree writes itself: no serializer metadata (and so no reflection) is involved.
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            dashboard.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static JsonObject DataSource() => new() { ["type"] = "prometheus", ["uid"] = "${DS_PROMETHEUS}" };

    private static JsonObject Target(string expression, string legend) => new() { ["expr"] = expression, ["legendFormat"] = legend, ["datasource"] = DataSource() };

    private static JsonObject Thresholds(double warning, double critical) => new()
    {
        ["mode"] = "absolute",
        ["steps"] = new JsonArray(
            new JsonObject { ["color"] = "green", ["value"] = null },
            new JsonObject { ["color"] = "orange", ["value"] = warning },
            new JsonObject { ["color"] = "red", ["value"] = critical }),
    };

    private static JsonObject Panel(int id, string type, string title, int x, int y, int w, int h, JsonObject[] targets, JsonObject? thresholds = null, string? unit = null, double? max = null)
    {
        var defaults = new JsonObject();
        if (thresholds is not null)
        {
            defaults["thresholds"] = thresholds;
        }

        if (unit is not null)
        {
            defaults["unit"] = unit;
        }

        if (max is not null)
        {
            defaults["min"] = 0;
            defaults["max"] = max;
        }

        return new JsonObject
        {
            ["id"] = id,
            ["type"] = type,
            ["title"] = title,
            ["datasource"] = DataSource(),
            ["gridPos"] = new JsonObject { ["x"] = x, ["y"] = y, ["w"] = w, ["h"] = h },
            ["targets"] = new JsonArray(targets.Select(t => (JsonNode)t).ToArray()),
            ["fieldConfig"] = new JsonObject { ["defaults"] = defaults, ["overrides"] = new JsonArray() },
        };
    }
}
