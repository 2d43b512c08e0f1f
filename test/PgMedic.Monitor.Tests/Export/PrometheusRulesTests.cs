using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using PgMedic.Testing;

namespace PgMedic.Monitor.Tests.Export;

/// <summary>
/// The rule file of <c>pgmedic export prometheus-rules</c> run by Prometheus's own rule engine
/// (<c>promtool test rules</c>): for every exported alert, at 15 s and 60 s scrapes, a series that should
/// fire it fires at the promised time and not before, and a series that should not never does.
/// </summary>
public sealed partial class PrometheusRulesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pgmedic-rules-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <param name="declared">What the rules were exported for (<c>--scrape-interval</c>; 1m is the default).</param>
    /// <param name="scrape">How often the test's Prometheus scrapes and evaluates, in seconds.</param>
    [Theory]
    [InlineData("pgmedic", "15s", 15)]
    [InlineData("pgmedic", "1m", 60)]
    [InlineData("pgmedic", "1m", 15)]
    [InlineData("postgres-exporter", "15s", 15)]
    [InlineData("postgres-exporter", "1m", 60)]
    [InlineData("postgres-exporter", "1m", 15)]
    public async Task ExportedRules_AtScrapeInterval_EveryAlertFiresOnTimeOnItsSeriesAndNeverOnTheOther(string source, string declared, int scrape)
    {
        var rules = await ExportAsync("--source", source, "--scrape-interval", declared);
        var scenario = new Scenario(source == "pgmedic", scrape, declared == "15s" ? Windows.For15Seconds : Windows.ForOneMinute);
        var cases = scenario.Cases();

        var exported = AlertNames().Matches(rules).Select(m => m.Groups[1].Value).Order().ToList();
        Assert.Equal(exported, cases.Where(c => c.Fires).Select(c => c.Rule).Distinct().Order());
        Assert.Equal(exported, cases.Where(c => !c.Fires).Select(c => c.Rule).Distinct().Order());
        await File.WriteAllTextAsync(Path.Combine(_directory, "rules.yml"), rules);
        var tests = UnitTests(scrape, cases);
        await File.WriteAllTextAsync(Path.Combine(_directory, "tests.yml"), tests);
        var (code, output) = await Promtool.RunAsync(["test", "rules", "tests.yml"], workingDirectory: _directory);
        Assert.True(code == 0, $"promtool test rules failed ({code}):\n{output}\n--- rules ---\n{rules}\n--- tests ---\n{tests}");
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pgmedic", 10)]
    [InlineData("postgres-exporter", 6)]
    public async Task ExportPrometheusRules_BothMetricSources_PassPromtoolCheckRulesAndLinkToShippedDocs(string source, int count)
    {
        var rules = await ExportAsync("--source", source);
        await File.WriteAllTextAsync(Path.Combine(_directory, "rules.yml"), rules);

        var (code, output) = await Promtool.RunAsync(["check", "rules", "rules.yml"], workingDirectory: _directory);

        Assert.True(code == 0, $"promtool check rules failed:\n{output}\n--- rules ---\n{rules}");
        Assert.Contains($"SUCCESS: {count} rules found", output, StringComparison.Ordinal);
        Assert.Contains("# Time windows sized for a scrape interval of 1m or shorter", rules, StringComparison.Ordinal);
        var page = await File.ReadAllLinesAsync(Path.Combine(BuildOutput.RepositoryRoot(), "docs", "alerts.md"));
        var links = RunbookLinks().Matches(rules).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(count, links.Count);
        Assert.All(links, anchor => Assert.Contains("## " + anchor, page));
    }

    [Fact]
    public async Task ExportPrometheusRules_RunbookUrl_EveryAnnotationLinksToItsSectionThere()
    {
        var rules = await ExportAsync("--runbook-url", "https://wiki.example.com/pgmedic/alerts");

        var links = Regex.Matches(rules, "runbook_url: '([^']*)'").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(10, links.Count);
        Assert.Contains("https://wiki.example.com/pgmedic/alerts#leak-growth", links);
        Assert.All(links, link => Assert.StartsWith("https://wiki.example.com/pgmedic/alerts#", link, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--scrape-interval", "1500ms", "scrape interval must be a whole number of seconds")]
    [InlineData("--runbook-url", "docs/alerts.md#top", "runbook URL must be a page address without spaces or '#'")]
    public async Task ExportPrometheusRules_BadOption_ExitThreeOneLineNoRules(string option, string value, string message)
    {
        using var export = PgMedicProcess.Start("export", "prometheus-rules", option, value);

        Assert.Equal(3, await export.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(message, export.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("groups:", export.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", export.Output, StringComparison.Ordinal);
    }

    private static async Task<string> ExportAsync(params string[] options)
    {
        using var export = PgMedicProcess.Start(["export", "prometheus-rules", .. options]);
        Assert.Equal(0, await export.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        return export.Output;
    }

    /// <summary>The promtool unit-test file: one test group per case, evaluated as often as scraped.</summary>
    private static string UnitTests(int scrape, IReadOnlyList<Case> cases)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("rule_files:\n  - rules.yml");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"evaluation_interval: {scrape}s");
        yaml.AppendLine("tests:");
        foreach (var c in cases)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - name: {Quote(c.Name)}");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    interval: {scrape}s");
            yaml.AppendLine("    input_series:");
            foreach (var (series, values) in c.Input)
            {
                yaml.AppendLine(CultureInfo.InvariantCulture, $"      - series: {Quote(series)}");
                yaml.AppendLine(CultureInfo.InvariantCulture, $"        values: {Quote(values)}");
            }

            yaml.AppendLine("    alert_rule_test:");
            foreach (var (at, expected) in c.Checks)
            {
                yaml.AppendLine(CultureInfo.InvariantCulture, $"      - eval_time: {at}s");
                yaml.AppendLine(CultureInfo.InvariantCulture, $"        alertname: {c.Rule}");
                if (expected is null)
                {
                    yaml.AppendLine("        exp_alerts: []");
                    continue;
                }

                yaml.AppendLine("        exp_alerts:");
                yaml.AppendLine("          - exp_labels:");
                foreach (var (name, value) in expected.Labels)
                {
                    yaml.AppendLine(CultureInfo.InvariantCulture, $"              {name}: {Quote(value)}");
                }

                yaml.AppendLine("            exp_annotations:");
                yaml.AppendLine(CultureInfo.InvariantCulture, $"              summary: {Quote(expected.Summary)}");
                yaml.AppendLine(CultureInfo.InvariantCulture, $"              runbook_url: {Quote("docs/alerts.md#" + expected.Labels["pgmedic_alert"])}");
            }
        }

        return yaml.ToString();
    }

    private static string Quote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    [GeneratedRegex(@"- alert: (\w+)")]
    private static partial Regex AlertNames();

    [GeneratedRegex("runbook_url: 'docs/alerts.md#([a-z-]+)'")]
    private static partial Regex RunbookLinks();

    /// <summary>The windows the export documents for a declared scrape interval (docs/commands/export.md), in seconds.</summary>
    private sealed record Windows(int Declared, int LeakStep, int LeakFor, string FailureText, string ScrapedFailureText, string LeakStepText, string LeakForText)
    {
        public static Windows For15Seconds { get; } = new(15, 30, 60, "2m", "2m45s", "30s", "1m");

        public static Windows ForOneMinute { get; } = new(60, 120, 240, "4m", "11m", "2m", "4m");
    }

    /// <param name="Checks">Evaluation times (seconds) with the alert expected then, or null for none.</param>
    private sealed record Case(string Name, string Rule, bool Fires, IReadOnlyList<(string Series, string Values)> Input, IReadOnlyList<(int At, Expected? Alert)> Checks);

    private sealed record Expected(IReadOnlyDictionary<string, string> Labels, string Summary);
}
