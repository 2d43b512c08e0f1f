using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using PgMedic.Core.Alerts;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Remediation;
using PgMedic.Testing;

namespace PgMedic.Monitor.Tests.Api;

/// <summary>
/// The monitor's API held to its schemas in docs/schemas/ (closed objects: a renamed field fails) on a real
/// sandbox with a firing alert, in the CLI's words and the JSON dialect (docs/json.md).
/// </summary>
[Collection(MonitorCollection.Name)]
public sealed class ApiJsonTests(MonitorSandbox fixture)
{
    private const string Token = "api-json-test-token-0123456789";

    /// <summary>application_name keeps printable ASCII only: these are the ASCII characters the default encoder escaped.</summary>
    private const string OddApplication = "o'brien+co <&>";

    [Fact]
    public async Task EveryMainRoute_FiringAlertAndOddText_KeepsItsSchemaInTheDialect()
    {
        await using var monitor = await StartAsync();
        await using var held = await HeldConnections.OpenAsync(fixture.Sandbox.SuperuserTarget, 1, OddApplication);
        await held.ExecuteOnEachAsync("BEGIN; SELECT 'it''s – a+b ≥ c − d' AS note;");
        await monitor.WaitForAlertsAsync(a => RunningMonitor.Firing(a, AlertNames.IdleInTransaction, "warning"), "the idle-in-transaction alert");

        var bodies = new Dictionary<string, string>
        {
            ["/health"] = "health.schema.json",
            ["/health/main"] = "health.schema.json",
            ["/api/targets"] = "api-targets.schema.json",
            ["/api/targets/main"] = "api-targets.schema.json#/$defs/target",
            ["/api/targets/main/snapshot"] = "api-snapshot.schema.json",
            ["/api/targets/main/history?since=1m"] = "api-history.schema.json",
            ["/api/alerts"] = "api-alerts.schema.json",
            ["/api/alerts/events?since=1h"] = "api-alert-events.schema.json",
            ["/api/targets/main/slow-queries"] = "api-slow-queries.schema.json",
            ["/api/targets/main/slo"] = "slo.schema.json#/$defs/apiView",
            ["/api/targets/main/activity"] = "history.schema.json#/$defs/moment",
            ["/api/targets/main/capacity?days=1"] = "advise.schema.json#/$defs/capacityHistory",
            ["/api/targets/main/evidence?since=1h"] = "report.schema.json#/$defs/history",
        };
        var problems = new List<string>();
        var texts = new Dictionary<string, string>();
        foreach (var (route, schema) in bodies)
        {
            var text = await monitor.Http.GetStringAsync(new Uri(route, UriKind.Relative));
            texts[route] = text;
            problems.AddRange((await JsonSchemas.ProblemsAsync(schema, text)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(p => $"{route}: {p}"));
            problems.AddRange(JsonSchemas.NeedlessEscapes(text).Select(e => $"{route}: needless {e}"));
        }

        var heal = await HealDryRunAsync(monitor);
        problems.AddRange((await JsonSchemas.ProblemsAsync("remediation.schema.json", heal)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(p => $"heal: {p}"));
        problems.AddRange(JsonSchemas.NeedlessEscapes(heal).Select(e => $"heal: needless {e}"));

        Assert.True(problems.Count == 0, string.Join('\n', problems));
        Assert.Contains(OddApplication, texts["/api/targets/main/snapshot"], StringComparison.Ordinal);
        Assert.Contains("it''s – a+b ≥ c − d", texts["/api/targets/main/snapshot"], StringComparison.Ordinal);
        Assert.Contains(OddApplication, heal, StringComparison.Ordinal);

        var session = JsonDocument.Parse(texts["/api/targets/main/snapshot"]).RootElement.GetProperty("idleInTransaction").EnumerateArray()
            .Single(s => s.GetProperty("pid").GetInt32() == held.Pids[0]);
        Assert.Equal(("127.0.0.1", "Client", "ClientRead"), (session.GetProperty("clientAddress").GetString(), session.GetProperty("waitEventType").GetString(), session.GetProperty("waitEvent").GetString()));
    }

    [Fact]
    public async Task History_Points_TimesAreIsoUtcAndUsageInDiagnosesWords()
    {
        await using var monitor = await StartAsync();
        await monitor.WaitForFirstPollAsync();
        await Task.Delay(600);
        var before = DateTimeOffset.UtcNow;

        var history = await monitor.GetJsonAsync("/api/targets/main/history?since=1m");
        var target = await monitor.GetJsonAsync("/api/targets/main");

        var points = history.GetProperty("points").EnumerateArray().ToList();
        Assert.True(points.Count >= 2, history.ToString());
        var last = points[^1];
        var at = last.GetProperty("at");
        Assert.Equal(JsonValueKind.String, at.ValueKind);
        Assert.EndsWith("Z", at.GetString(), StringComparison.Ordinal);
        Assert.InRange(at.GetDateTimeOffset(), before.AddSeconds(-30), before.AddSeconds(1));
        Assert.Equal(MonitorSandbox.UsableSlots, last.GetProperty("usableSlots").GetInt32());
        var usage = target.GetProperty("usage");
        Assert.Equal(Usage.Percent(usage.GetProperty("clientBackends").GetInt32(), MonitorSandbox.UsableSlots), usage.GetProperty("percentOfUsable").GetDouble());
        var probe = target.GetProperty("probe");
        Assert.Equal(
            Math.Round(probe.GetProperty("connectMilliseconds").GetDouble() + probe.GetProperty("queryMilliseconds").GetDouble(), 2),
            probe.GetProperty("probeMilliseconds").GetDouble(),
            precision: 1);
    }

    /// <summary>A monitor that allows actions: reads need the token too.</summary>
    private async Task<RunningMonitor> StartAsync()
    {
        var monitor = await RunningMonitor.StartAsync(fixture.Sandbox.SuperuserTarget, options => options with
        {
            ReadOnly = false,
            AccessToken = Token,
            Targets =
            [
                RunningMonitor.Target("main", fixture.Sandbox.SuperuserTarget) with
                {
                    Thresholds = new DiagnosisOptions { IdleInTransactionWarning = TimeSpan.FromSeconds(1), IdleInTransactionCritical = TimeSpan.FromHours(1) },
                    Heal = new HealOptions { IdleInTransactionFor = TimeSpan.FromSeconds(1) },
                },
            ],
        });
        monitor.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return monitor;
    }

    private static async Task<string> HealDryRunAsync(RunningMonitor monitor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/targets/main/actions/heal", UriKind.Relative))
        {
            Content = JsonContent.Create(new { dryRun = true }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var response = await monitor.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return body;
    }
}
