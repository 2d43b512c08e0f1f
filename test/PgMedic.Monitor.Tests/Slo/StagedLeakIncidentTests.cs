using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using PgMedic.Core.Slo;
using PgMedic.Testing;

namespace PgMedic.Monitor.Tests.Slo;

/// <summary>
/// One staged incident (<see cref="StagedLeakIncident"/>: a leak rising to 95 % of usable slots, five minutes of
/// checkouts timing out, then healed) seen through everything built on the monitor's history: the objective's
/// burn-rate alerts against the workbook's arithmetic, the same counters through Prometheus' own rule engine,
/// what the server was doing inside it (API, CLI, a click on the dashboard), and the post-incident report.
/// </summary>
public sealed class StagedLeakIncidentTests(StagedLeakIncident incident) : IClassFixture<StagedLeakIncident>
{
    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss'Z'", CultureInfo.InvariantCulture);

    [Fact]
    public async Task SloBurnRate_LeakTo95PercentThenHealed_PagesAndTicketFireAtTheWorkbooksPollsAndThePageResolvesFiveMinutesAfter()
    {
        var events = (await incident.Monitor.GetJsonAsync($"/api/alerts/events?target=shop&since={Iso(incident.T0.AddMinutes(-1))}&limit=5000")).EnumerateArray()
            .Where(e => e.GetProperty("alert").GetString() == "slo-burn-rate" && e.GetProperty("state").GetString() != "pending")
            .ToList();
        DateTimeOffset? When(string window, string state) => events
            .Where(e => e.GetProperty("subject").GetString() == window && e.GetProperty("state").GetString() == state)
            .Select(e => (DateTimeOffset?)e.GetProperty("at").GetDateTimeOffset()).FirstOrDefault();

        // The workbook's arithmetic over what the service did, poll by poll.
        var expected = WorkbookArithmetic.Expected(incident.Attempts, Enumerable.Range(1, StagedLeakIncident.LastPoll).Select(incident.At), 0.001);
        foreach (var w in BurnRateWindow.All)
        {
            Assert.True(expected[w.Name].Fires == When(w.Name, "firing"), $"{w}: fires at {expected[w.Name].Fires:O} by the arithmetic, the monitor at {When(w.Name, "firing"):O}");
            Assert.True(expected[w.Name].Resolves == When(w.Name, "resolved"), $"{w}: resolves at {expected[w.Name].Resolves:O} by the arithmetic, the monitor at {When(w.Name, "resolved"):O}");
        }

        // And in the workbook's own words, from the 19th poll on (every checkout failing at 120 a minute):
        // 14.4 × 0.1 % of an hour is 51.8 s of outage, the 11th failing poll; 6 × 0.1 % of 6 h is 129.6 s, the
        // 26th; 0.1 % of 3 days is 259.2 s, the 52nd. The page resolves once its 5-minute window is clean.
        Assert.Equal(incident.At(18 + 11), When("1h", "firing"));
        Assert.Equal(incident.At(18 + 26), When("6h", "firing"));
        Assert.Equal(incident.At(18 + 52), When("3d", "firing"));
        Assert.Equal(incident.At(StagedLeakIncident.LastFailing) + TimeSpan.FromMinutes(5), When("1h", "resolved"));
        Assert.Null(When("6h", "resolved"));
        Assert.All(events, e => Assert.Equal("application", e.GetProperty("signal").GetString()));
        Assert.Equal("critical", events.First(e => e.GetProperty("subject").GetString() == "1h").GetProperty("severity").GetString());
        Assert.Equal("warning", events.First(e => e.GetProperty("subject").GetString() == "3d").GetProperty("severity").GetString());

        // The leak did reach 95 % of usable slots (18 leaked and the lifeline of 20).
        var history = await incident.Monitor.GetJsonAsync($"/api/targets/shop/history?since={Iso(incident.T0)}&limit=20000");
        Assert.Equal(95.0, history.GetProperty("points").EnumerateArray().Max(p => p.GetProperty("percentOfUsable").GetDouble()));

        // The same changes went to the webhook.
        var stopwatch = Stopwatch.StartNew();
        List<string> Delivered() => incident.Receiver.Deliveries
            .Where(d => d.GetProperty("alert").GetString() == "slo-burn-rate")
            .Select(d => $"{d.GetProperty("subject").GetString()} {d.GetProperty("state").GetString()}")
            .Distinct().Order().ToList();
        while (Delivered().Count < 4 && stopwatch.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(100);
        }

        Assert.Equal(["1h firing", "1h resolved", "3d firing", "6h firing"], Delivered());
    }

    [Fact]
    public async Task SloStatus_AfterTheIncident_AvailabilityAndBudgetAreTheArithmetic()
    {
        var slo = (await incident.Monitor.GetJsonAsync("/api/targets/shop/slo")).GetProperty("slo");
        var attempts = slo.GetProperty("attempts").GetInt64();

        // 30 days at 120 checkouts a minute (the oldest hour counts whole), 600 of them failed: 5 of the budget's 43.2 minutes.
        Assert.Equal(600, slo.GetProperty("failures").GetInt64());
        Assert.InRange(attempts, 30L * 1440 * 120, (30L * 1440 * 120) + 7200);
        Assert.Equal(100.0 * (attempts - 600) / attempts, slo.GetProperty("availabilityPercent").GetDouble(), 5);
        Assert.Equal(1 - (600 / (0.001 * attempts)), slo.GetProperty("budgetRemainingRatio").GetDouble(), 5);
        Assert.Equal(43.2, slo.GetProperty("budgetMinutes").GetDouble(), 3);
        Assert.InRange(slo.GetProperty("budgetRemainingMinutes").GetDouble(), 38.1, 38.3);
        Assert.Equal(1.0, slo.GetProperty("coverageRatio").GetDouble(), 3);
        Assert.Equal("application", slo.GetProperty("source").GetString());

        // What Prometheus scrapes: the counters since the monitor started (the 162 polls), the objective, the budget left.
        Assert.Equal(600, incident.Metric("pgmedic_slo_failures_total"));
        Assert.Equal(StagedLeakIncident.LastPoll * StagedLeakIncident.PerPoll, incident.Metric("pgmedic_slo_attempts_total"));
        Assert.Equal(0.999, incident.Metric("pgmedic_slo_objective_ratio"), 9);
        Assert.Equal(slo.GetProperty("budgetRemainingRatio").GetDouble(), incident.Metric("pgmedic_slo_error_budget_remaining_ratio"), 6);

        // The CLI says the same, from the running monitor and from its file; the 6-hour page still burns: exit 2.
        var api = await incident.Monitor.CliAsync("slo", "shop", "--monitor", incident.Monitor.Address.ToString(), "--format", "json");
        Assert.True(api.ExitCode == 2, api.Out + api.Error);
        Assert.Empty(await JsonSchemas.ProblemsAsync("slo.schema.json", api.Out));
        var json = JsonDocument.Parse(api.Out).RootElement;
        Assert.Equal(600, json.GetProperty("slo").GetProperty("failures").GetInt64());
        Assert.Equal(2, json.GetProperty("exitCode").GetInt32());
        var file = await incident.Monitor.CliAsync("slo", "--history", incident.HistoryPath);
        Assert.True(file.ExitCode == 2, file.Out + file.Error);
        Assert.Contains("BURNING FAST shop: availability 99.988 % over 30d (objective 99.9 %)", file.Out, StringComparison.Ordinal);
        Assert.Contains("error budget: 88.4 % left", file.Out, StringComparison.Ordinal);
        Assert.Contains("1h / 5m", file.Out, StringComparison.Ordinal);
        Assert.Contains("6h / 30m", file.Out, StringComparison.Ordinal);
        await Keep("slo.txt", file.Out);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(60)]
    public async Task ExportedSloRules_TheIncidentsCounterSeries_PromtoolFiresAndResolvesWhenTheMonitorDid(int scrape)
    {
        var directory = Directory.CreateTempSubdirectory("pgmedic-slo-promtool-").FullName;
        try
        {
            var rules = await incident.Monitor.CliAsync("export", "prometheus-rules", "--scrape-interval", $"{scrape}s");
            Assert.Equal(0, rules.ExitCode);
            await File.WriteAllTextAsync(Path.Combine(directory, "rules.yml"), rules.Out);
            var events = (await incident.Monitor.GetJsonAsync($"/api/alerts/events?target=shop&since={Iso(incident.T0.AddMinutes(-1))}&limit=5000")).EnumerateArray()
                .Where(e => e.GetProperty("alert").GetString() == "slo-burn-rate" && e.GetProperty("state").GetString() != "pending").ToList();
            var tests = PromtoolTests(scrape, events);
            await File.WriteAllTextAsync(Path.Combine(directory, "tests.yml"), tests);

            var (code, output) = await Promtool.RunAsync(["test", "rules", "tests.yml"], workingDirectory: directory);

            Assert.True(code == 0, $"promtool test rules failed ({code}):\n{output}\n--- tests (head) ---\n{tests[..Math.Min(tests.Length, 3000)]}");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task HistoryAt_MomentInsideTheIncident_ReturnsTheLeakingApplicationsSessionsStateAndFingerprint()
    {
        var inside = incident.At(48);
        var moment = await incident.Monitor.GetJsonAsync($"/api/targets/shop/activity?at={Iso(inside)}");
        AssertLeak(moment, inside);

        // The CLI, from the file (the minute is written) and from the monitor, with the moment as a time of day.
        var file = await incident.Monitor.CliAsync("history", "shop", "--history", incident.HistoryPath, "--at", Iso(inside), "--format", "json");
        Assert.True(file.ExitCode == 0, file.Out + file.Error);
        Assert.Empty(await JsonSchemas.ProblemsAsync("history.schema.json", file.Out));
        AssertLeak(JsonDocument.Parse(file.Out).RootElement.GetProperty("moment"), inside);
        var api = await incident.Monitor.CliAsync("history", "--monitor", incident.Monitor.Address.ToString(), "--at", inside.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture));
        Assert.True(api.ExitCode == 0, api.Out + api.Error);
        Assert.Contains(": 18 client sessions", api.Out, StringComparison.Ordinal);
        Assert.Contains("by state: idle in transaction 18", api.Out, StringComparison.Ordinal);
        Assert.Contains("by application: shop-api 18", api.Out, StringComparison.Ordinal);
        Assert.Contains("SELECT id, total FROM invoices WHERE id = ?", api.Out, StringComparison.Ordinal);
        await Keep("history.txt", api.Out);

        // Over five minutes of it: averages and peaks; and before the history began, an answer that says so.
        var stretch = await incident.Monitor.GetJsonAsync($"/api/targets/shop/activity?at={Iso(inside)}&for=5m");
        Assert.Equal(61, stretch.GetProperty("samples").GetInt32());
        var none = await incident.Monitor.CliAsync("history", "shop", "--history", incident.HistoryPath, "--at", Iso(incident.T0.AddDays(-2)));
        Assert.Equal(3, none.ExitCode);
        Assert.Contains($"no session sample of 'shop' near {Iso(incident.T0.AddDays(-2))}", none.Error, StringComparison.Ordinal);
        Assert.Contains($"holds samples from {Iso(incident.T0)}", none.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_ClickInsideTheIncident_ShowsWhatTheServerWasDoingThen()
    {
        var chromium = ToolPaths.Require("/usr/bin/chromium", "chromium");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Dashboard.DashboardBrowserTests.LaunchAsync(playwright, chromium);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1600 } });
        await page.GotoAsync(new Uri(incident.Monitor.Address, "/?since=1h").ToString());
        var inside = incident.At(48).ToUnixTimeMilliseconds();
        await page.WaitForFunctionAsync($"() => {{ const c = Chart.getChart('usage-chart'); return !!c && c.data.datasets[0].data.some(p => p.x <= {inside}) && c.getDatasetMeta(0).data.length > 0; }}", null, new PageWaitForFunctionOptions { Timeout = 15000 });

        // A real click on the chart where the 48th poll is drawn.
        var x = await page.EvaluateAsync<double>($"() => Chart.getChart('usage-chart').scales.x.getPixelForValue({inside})");
        var box = (await page.Locator("#usage-chart").BoundingBoxAsync())!;
        await page.Mouse.ClickAsync(box.X + (float)x, box.Y + (box.Height / 2));

        var panel = page.Locator("#moment");
        await panel.GetByText("shop-api").First.WaitForAsync(new LocatorWaitForOptions { Timeout = 15000 });
        var text = await panel.InnerTextAsync();
        Assert.Contains("idle in transaction 18", text, StringComparison.Ordinal);
        Assert.Contains("SELECT id, total FROM invoices WHERE id = ?", text, StringComparison.Ordinal);
        Assert.Contains("18 client sessions", text.Replace("\n", " ", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("sample nearest", await page.Locator("#moment-when").InnerTextAsync(), StringComparison.Ordinal);

        // The objective's panel beside it.
        Assert.Matches(@"^99\.98\d %$", await page.Locator("[data-slo=availability]").InnerTextAsync());
        Assert.StartsWith("error budget 88.", await page.Locator("[data-slo=budget]").InnerTextAsync(), StringComparison.Ordinal);

        var output = Path.Combine(BuildOutput.RepositoryRoot(), "test-output");
        Directory.CreateDirectory(output);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(output, "dashboard-moment.png"), FullPage = true });
    }

    [Fact]
    public async Task ReportHistory_AfterTheIncident_TimelineBudgetHoldersAndChecklistFromEvidence()
    {
        var markdown = await incident.Monitor.CliAsync("report", "--history", incident.HistoryPath, "--since", "1h", "--audit-log", Path.Combine(incident.Directory, "none.jsonl"));
        Assert.Equal(3, markdown.ExitCode);
        Assert.Contains("no audit log at", markdown.Error, StringComparison.Ordinal);

        var report = await incident.Monitor.CliAsync("report", "--history", incident.HistoryPath, "--since", "1h");
        Assert.True(report.ExitCode == 0, report.Out + report.Error);
        var text = report.Out;
        await Keep("report-history.md", text);

        // The timeline: the monitor's alerts, in order, from the first warning to the page's resolution.
        Assert.Contains("| alert | firing connection-saturation warning:", text, StringComparison.Ordinal);
        Assert.Contains("| alert | firing slo-burn-rate (1h) critical: the error budget", text, StringComparison.Ordinal);
        Assert.Contains("| alert | resolved slo-burn-rate (1h) critical:", text, StringComparison.Ordinal);
        Assert.True(text.IndexOf("firing slo-burn-rate (1h)", StringComparison.Ordinal) < text.IndexOf("firing slo-burn-rate (6h)", StringComparison.Ordinal));

        // Saturation and failures around it, and the budget it spent: 600 of 5,184,000 failed, 11.6 % of it.
        Assert.Contains("- **Saturation:** peak 95 % of usable slots (19 of 20)", text, StringComparison.Ordinal);
        Assert.Contains("- **Connection failures:** peak 100 %", text, StringComparison.Ordinal);
        Assert.Matches(@"- \*\*Error budget:\*\* this period spent 11\.6 % of the 99\.9 % objective's budget \(600 of \d+ checkouts failed; 5 of 43\.2 minutes\); 88\.4 % of the budget is left", text);

        // The holders at the first alert (one leaked connection a poll until then), with the statement they last ran.
        var first = (await incident.Monitor.GetJsonAsync($"/api/alerts/events?target=shop&since={Iso(incident.T0.AddMinutes(-1))}&limit=5000")).EnumerateArray()
            .Where(e => e.GetProperty("state").GetString() == "firing").Min(e => e.GetProperty("at").GetDateTimeOffset());
        var leaked = Math.Min(StagedLeakIncident.LastLeak, (int)((first - incident.T0) / StagedLeakIncident.Poll));
        Assert.Matches($@"- shop-api: {leaked} \(idle in transaction {leaked}\) — `SELECT id, total FROM invoices WHERE id = \?` \([0-9a-f]{{16}}\)", text);

        // The checklist: answered from that evidence, and open where there is none.
        Assert.Contains("- [x] **Review connection pool settings** — the monitor saw usage peak at 95 % of usable slots (19 of 20)", text, StringComparison.Ordinal);
        Assert.Contains($"- [x] **Audit code for connection leaks** — at the first alert shop-api held {leaked} session(s) idle in a transaction, last running `SELECT id, total FROM invoices WHERE id = ?`", text, StringComparison.Ordinal);
        Assert.Contains("- [x] **Add connection metrics to dashboard** — a PgMedic monitor watched this server", text, StringComparison.Ordinal);
        Assert.Contains("- [x] **Update database capacity planning** — peak 19 of 20 usable slots (95 %); the incident spent 11.6 % of the 99.9 % objective's 30d error budget", text, StringComparison.Ordinal);
        Assert.Contains("- open: **Implement connection pooling best practices** — no diagnosis was recorded", text, StringComparison.Ordinal);

        // The same evidence from the running monitor, as JSON.
        var json = await incident.Monitor.CliAsync("report", "--monitor", incident.Monitor.Address.ToString(), "--since", "1h", "--format", "json");
        Assert.True(json.ExitCode == 0, json.Out + json.Error);
        Assert.Empty(await JsonSchemas.ProblemsAsync("report.schema.json", json.Out));
        var history = JsonDocument.Parse(json.Out).RootElement.GetProperty("history");
        Assert.Equal(600, history.GetProperty("slo").GetProperty("failures").GetInt64());
        Assert.Equal("shop-api", history.GetProperty("atFirstAlert").GetProperty("holders").EnumerateArray().First().GetProperty("application").GetString());
    }

    /// <summary>What the user saw, kept under test-output/ (the documentation's examples come from there).</summary>
    private static async Task Keep(string name, string text)
    {
        var output = Path.Combine(BuildOutput.RepositoryRoot(), "test-output");
        Directory.CreateDirectory(output);
        await File.WriteAllTextAsync(Path.Combine(output, name), text);
    }

    private static void AssertLeak(JsonElement moment, DateTimeOffset inside)
    {
        Assert.Equal(inside, moment.GetProperty("from").GetDateTimeOffset());
        Assert.Equal(18, moment.GetProperty("byState").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "idle in transaction").GetProperty("peak").GetInt32());
        var holder = moment.GetProperty("holders").EnumerateArray().First();
        Assert.Equal("shop-api", holder.GetProperty("application").GetString());
        Assert.Equal(18, holder.GetProperty("byState").GetProperty("idle in transaction").GetDouble());
        Assert.Equal("SELECT id, total FROM invoices WHERE id = ?", holder.GetProperty("query").GetString());
        Assert.Equal(Core.SessionHistory.QueryFingerprint.Format(Core.SessionHistory.QueryFingerprint.Of(StagedLeakIncident.LeakQuery)), holder.GetProperty("fingerprint").GetString());
        var sessions = moment.GetProperty("sessions").EnumerateArray().ToList();
        Assert.Equal(10, sessions.Count);
        Assert.All(sessions, s => Assert.Equal(("shop-api", "idle in transaction"), (s.GetProperty("application").GetString(), s.GetProperty("state").GetString())));
    }

    /// <summary>
    /// promtool's unit test over the monitor's counters as Prometheus would have scraped them: three days of the
    /// same traffic before (120 checkouts a minute, none failing), then /metrics as read after each poll. Each
    /// burn-rate alert must be silent a little before the monitor fired it and firing a little after, and the
    /// page resolved a little after the monitor resolved it — a little: two scrapes, since Prometheus sees a
    /// counter only once a scrape and reads a window from its first to its last sample.
    /// </summary>
    private string PromtoolTests(int scrape, IReadOnlyList<JsonElement> events)
    {
        // promtool evaluates every rule of the file at every step, and its unit-test engine refuses a query over
        // 10,000 samples: at 15 s scrapes the series start 7 hours back (the 6-hour rule's window and more), and
        // the 3-day rule is checked at 60 s scrapes, over its whole window (a Prometheus server allows 50 million).
        var start = incident.T0 - (scrape < 60 ? TimeSpan.FromHours(7) : TimeSpan.FromDays(3) + TimeSpan.FromHours(1));
        var before = (int)((incident.T0 - start).TotalSeconds / scrape);
        var perScrape = 2 * scrape;
        var baseline = (long)before * perScrape;
        var end = incident.At(StagedLeakIncident.LastPoll) + TimeSpan.FromMinutes(10);
        var after = (int)Math.Ceiling((end - incident.T0).TotalSeconds / scrape);
        (long Attempts, long Failures) CounterAt(DateTimeOffset t) =>
            incident.Scraped.Where(s => s.At <= t).Select(s => (s.Attempts, s.Failures)).LastOrDefault();
        var attempts = new StringBuilder($"0+{perScrape}x{before}");
        var failures = new StringBuilder($"0x{before}");
        for (var i = 1; i <= after; i++)
        {
            var (a, f) = CounterAt(incident.T0 + TimeSpan.FromSeconds(i * scrape));
            attempts.Append(CultureInfo.InvariantCulture, $" {baseline + a}");
            failures.Append(CultureInfo.InvariantCulture, $" {f}");
        }

        var tolerance = TimeSpan.FromSeconds(2 * scrape);
        int Grid(DateTimeOffset t, bool up) => (int)((up ? Math.Ceiling((t - start).TotalSeconds / scrape) : Math.Floor((t - start).TotalSeconds / scrape)) * scrape);

        var yaml = new StringBuilder();
        yaml.AppendLine("rule_files:\n  - rules.yml");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"evaluation_interval: {scrape}s");
        yaml.AppendLine("tests:");
        foreach (var w in BurnRateWindow.All.Where(w => scrape >= 60 || w.Long <= TimeSpan.FromHours(6)))
        {
            var fired = events.Single(e => e.GetProperty("subject").GetString() == w.Name && e.GetProperty("state").GetString() == "firing").GetProperty("at").GetDateTimeOffset();
            var resolved = events.SingleOrDefault(e => e.GetProperty("subject").GetString() == w.Name && e.GetProperty("state").GetString() == "resolved") is { ValueKind: JsonValueKind.Object } r
                ? r.GetProperty("at").GetDateTimeOffset() : (DateTimeOffset?)null;
            var checks = new List<(int At, bool Firing)> { (Grid(fired - tolerance, up: false), false), (Grid(fired + tolerance, up: true), true) };
            checks.Add(resolved is { } resolvedAt
                ? (Grid(resolvedAt + tolerance, up: true), false)
                : (Grid(incident.At(StagedLeakIncident.LastPoll), up: false), true));
            if (resolved is { } before2)
            {
                checks.Add((Grid(before2 - tolerance, up: false), true));
            }

            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - name: 'burn rate {w.Name} at {scrape}s scrapes'");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    interval: {scrape}s");
            yaml.AppendLine("    input_series:");
            yaml.AppendLine("      - series: 'pgmedic_slo_attempts_total{target=\"shop\"}'");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"        values: '{attempts}'");
            yaml.AppendLine("      - series: 'pgmedic_slo_failures_total{target=\"shop\"}'");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"        values: '{failures}'");
            yaml.AppendLine("      - series: 'pgmedic_slo_objective_ratio{target=\"shop\"}'");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"        values: '0.999x{before + after}'");
            yaml.AppendLine("    alert_rule_test:");
            foreach (var (at, firing) in checks.OrderBy(c => c.At))
            {
                yaml.AppendLine(CultureInfo.InvariantCulture, $"      - eval_time: {at}s");
                yaml.AppendLine(CultureInfo.InvariantCulture, $"        alertname: PgMedicSloBurnRate{w.Name}");
                if (!firing)
                {
                    yaml.AppendLine("        exp_alerts: []");
                    continue;
                }

                var longWindow = Core.Common.Duration.Format(w.Long);
                var shortWindow = Core.Common.Duration.Format(w.Short);
                yaml.AppendLine("        exp_alerts:");
                yaml.AppendLine("          - exp_labels:");
                yaml.AppendLine(CultureInfo.InvariantCulture, $"              severity: {w.Severity.ToString().ToLowerInvariant()}");
                yaml.AppendLine("              pgmedic_alert: slo-burn-rate");
                yaml.AppendLine(CultureInfo.InvariantCulture, $"              window: '{w.Name}'");
                yaml.AppendLine("              target: shop");
                yaml.AppendLine("            exp_annotations:");
                yaml.AppendLine(CultureInfo.InvariantCulture, $"              summary: 'the error budget burns above {w.Factor.ToString("0.###", CultureInfo.InvariantCulture)}× the sustainable rate over {longWindow} and {shortWindow} (the SRE workbook''s {(w.Severity == Core.Diagnosis.Severity.Critical ? "page" : "ticket")})'");
                yaml.AppendLine(CultureInfo.InvariantCulture, $"              runbook_url: 'docs/alerts.md#slo-burn-rate'");
            }
        }

        return yaml.ToString();
    }
}
