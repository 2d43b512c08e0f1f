using Microsoft.Extensions.Configuration;
using PgMedic.Core.Common;

namespace PgMedic.Monitor.Configuration;

/// <summary>
/// Every key the configuration file may hold. A key that is not here is an error, with the nearest known
/// key suggested: a typo (<c>"readOnyl": false</c>) would otherwise be dropped silently and the default
/// used. Keys match as the configuration system reads them, ignoring case.
/// </summary>
internal static class ConfigKeys
{
    private static readonly Node Thresholds = Node.Of("warningPercent", "criticalPercent", "idleInTransactionWarning", "idleInTransactionCritical", "idleFor", "longQueryWarning", "longQueryCritical", "blockingWarning", "blockingCritical");

    private static readonly Node Target = Node.Of(
        ("name", Node.Leaf),
        ("connection", Node.Leaf),
        ("thresholds", Thresholds),
        ("poolEndpoints", Node.List(Node.Leaf)),
        ("poolToken", Node.Leaf),
        ("poll", Node.Leaf),
        ("slo", Node.Of("objective", "window")),
        ("sessionHistory", Node.Of("enabled", "interval")),
        ("heal", Node.Of("idleInTransactionFor", "idleFor", "waitingFor")),
        ("guardrails", Node.Of(
            ("includeSuperusers", Node.Leaf),
            ("appRoles", Node.List(Node.Leaf)),
            ("protectUsers", Node.List(Node.Leaf)),
            ("protectApplications", Node.List(Node.Leaf)),
            ("databases", Node.List(Node.Leaf)),
            ("allDatabases", Node.Leaf),
            ("maxActions", Node.Leaf))));

    private static readonly Node Alerts = Node.Of(
        ("connectionSaturation", Node.Of("enabled", "for", "warningPercent", "criticalPercent", "hysteresisPercent")),
        ("databaseConnectionFailure", Node.Of("enabled", "window", "for", "ratio")),
        ("idleInTransaction", Node.Of("enabled", "for")),
        ("blockingChain", Node.Of("enabled", "for")),
        ("leakGrowth", Node.Of("enabled", "for", "samples", "minGrowth")),
        ("exhaustionForecast", Node.Of("enabled", "for", "horizon", "window", "minSamples", "minPercent")),
        ("sloBurnRate", Node.Of("enabled", "for")));

    private static readonly Node Root = Node.Of(
        ("$schema", Node.Leaf),
        ("targets", Node.List(Target)),
        ("pollInterval", Node.Leaf),
        ("poll", Node.Leaf),
        ("targetDirectory", Node.Leaf),
        ("shard", Node.Leaf),
        ("shardUrl", Node.Leaf),
        ("timeout", Node.Leaf),
        ("alerts", Alerts),
        ("webhooks", Node.List(Node.Of(("name", Node.Leaf), ("url", Node.Leaf), ("format", Node.Leaf), ("headers", Node.Any)))),
        ("delivery", Node.Of("initialBackoff", "maxBackoff", "giveUpAfter", "requestTimeout")),
        ("listen", Node.Leaf),
        ("port", Node.Leaf),
        ("accessToken", Node.Leaf),
        ("readOnly", Node.Leaf),
        ("allowedHosts", Node.List(Node.Leaf)),
        ("allowUnauthenticatedNetwork", Node.Leaf),
        ("actionRateLimit", Node.Of("permits", "window")),
        ("history", Node.Of("path", "retention", "connection")),
        ("slo", Node.Of("objective", "window")),
        ("sessionHistory", Node.Of("enabled", "interval", "topSessions", "downsampleAfter", "retention")),
        ("auditLog", Node.Leaf));

    /// <summary>One line per unknown key, e.g. <c>unknown key 'readOnyl' — did you mean 'readOnly'?</c>.</summary>
    public static IEnumerable<string> Unknown(IConfiguration file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return Unknown(file.GetChildren(), Root, string.Empty);
    }

    private static IEnumerable<string> Unknown(IEnumerable<IConfigurationSection> sections, Node node, string path)
    {
        foreach (var section in sections)
        {
            var here = path.Length == 0 ? section.Key : node.IsList ? $"{path}[{section.Key}]" : $"{path}.{section.Key}";
            Node? child;
            if (node.IsAny)
            {
                continue;
            }

            if (node.IsList)
            {
                child = int.TryParse(section.Key, out _) ? node.Item : null;
            }
            else
            {
                node.Children.TryGetValue(section.Key, out child);
            }

            if (child is null)
            {
                var nearest = node.IsList ? null : Nearest(section.Key, node.Children.Keys);
                var where = path.Length == 0 ? "the top level" : path;
                yield return nearest is null
                    ? $"unknown key '{section.Key}' in {where}: it is not a setting (docs/commands/serve.md lists them)"
                    : $"unknown key '{here}' — did you mean '{(path.Length == 0 ? nearest : $"{path}.{nearest}")}'?";
                continue;
            }

            foreach (var error in Unknown(section.GetChildren(), child, here))
            {
                yield return error;
            }
        }
    }

    private static string? Nearest(string key, IEnumerable<string> known) =>
        EditDistance.Nearest(key, known, Math.Max(2, key.Length / 3));

    private sealed class Node
    {
        public static readonly Node Leaf = new();
        public static readonly Node Any = new() { IsAny = true };

        public Dictionary<string, Node> Children { get; } = new(StringComparer.OrdinalIgnoreCase);

        public bool IsList { get; private init; }

        public bool IsAny { get; private init; }

        public Node? Item { get; private init; }

        public static Node List(Node item) => new() { IsList = true, Item = item };

        public static Node Of(params string[] leaves) => Of(leaves.Select(l => (l, Leaf)).ToArray());

        public static Node Of(params (string Key, Node Child)[] children)
        {
            var node = new Node();
            foreach (var (key, child) in children)
            {
                node.Children[key] = child;
            }

            return node;
        }
    }
}
