using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using PgMedic.Monitor.Configuration;
using PgMedic.Testing;

namespace PgMedic.Monitor.Tests.Probe;

/// <summary><c>GET /probe?target=</c>: one poll per scrape, single-flight, the same metrics as <c>/metrics</c>.</summary>
[Collection(MonitorCollection.Name)]
public sealed partial class ProbeApiTests(MonitorSandbox fixture)
{
    [Fact]
    public async Task Probe_OneTargetOfTwo_AnswersOnlyItsSeriesWithTheSameNamesTypesAndHelpAsMetrics()
    {
        var target = fixture.Sandbox.SuperuserTarget;
        await using var monitor = await RunningMonitor.StartAsync(target, o => o with { Targets = [o.Targets[0], RunningMonitor.Target("other", target)] }, name: "probed");
        await monitor.WaitForFirstPollAsync();

        using var response = await monitor.Http.GetAsync(new Uri("/probe?target=probed", UriKind.Relative));
        var probe = await response.Content.ReadAsStringAsync();
        var metrics = await monitor.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain; version=0.0.4", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        var samples = probe.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Contains(samples, l => l.StartsWith("pgmedic_connections_used_percent{target=\"probed\"}", StringComparison.Ordinal));
        Assert.Contains(samples, l => l.StartsWith("pgmedic_probe_attempts_total{target=\"probed\"}", StringComparison.Ordinal));
        Assert.All(samples, l => Assert.Contains("target=\"probed\"", l, StringComparison.Ordinal));
        var families = Families(probe);
        var exported = Families(metrics);
        Assert.True(families.Count >= 15, probe);
        foreach (var (name, (type, help)) in families)
        {
            Assert.True(exported.TryGetValue(name, out var other), $"/metrics has no {name}:\n{metrics}");
            Assert.Equal(other, (type, help));
        }

        var (code, output) = await Promtool.RunAsync(["check", "metrics"], probe);
        Assert.True(code == 0, $"promtool check metrics failed ({code}):\n{output}\n--- /probe ---\n{probe}");
    }

    [Theory]
    [InlineData("/probe", HttpStatusCode.BadRequest, "target missing")]
    [InlineData("/probe?target=", HttpStatusCode.BadRequest, "target missing")]
    [InlineData("/probe?target=nosuch", HttpStatusCode.NotFound, "unknown target")]
    public async Task Probe_MissingOrUnknownTarget_AnswersProblemDetails(string path, HttpStatusCode status, string title)
    {
        await using var monitor = await RunningMonitor.StartAsync(fixture.Sandbox.SuperuserTarget, name: "known");

        using var response = await monitor.Http.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Probe_TargetPolledWhenScraped_IsNotPolledUntilAScrapeAndOncePerScrape()
    {
        await using var monitor = await RunningMonitor.StartAsync(fixture.Sandbox.SuperuserTarget, o => o with { Poll = PollMode.Scrape }, name: "on-demand");
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        var before = await monitor.GetJsonAsync("/api/targets/on-demand");
        var first = await ScrapeAsync(monitor, "on-demand");
        var second = await ScrapeAsync(monitor, "on-demand");
        var after = await monitor.GetJsonAsync("/api/targets/on-demand");

        Assert.Equal(JsonValueKind.Null, before.GetProperty("polledAt").ValueKind);
        Assert.Equal("scrape", before.GetProperty("poll").GetString());
        Assert.Equal(1, Value(first, "pgmedic_probe_attempts_total"));
        Assert.Equal(2, Value(second, "pgmedic_probe_attempts_total"));
        Assert.DoesNotContain("pgmedic_poll_lag_seconds", second, StringComparison.Ordinal);
        Assert.NotEqual(JsonValueKind.Null, after.GetProperty("polledAt").ValueKind);
    }

    [Fact]
    public async Task Probe_ConcurrentScrapesOfOneTarget_ShareOnePoll()
    {
        // A pool endpoint that answers after 1.5 s makes each poll last that long.
        await using var slow = await SlowEndpoint.StartAsync(TimeSpan.FromSeconds(1.5));
        await using var monitor = await RunningMonitor.StartAsync(fixture.Sandbox.SuperuserTarget, o => o with
        {
            Poll = PollMode.Scrape,
            Targets = [o.Targets[0] with { PoolEndpoints = [slow.Url] }],
        }, name: "contended");

        var scrapes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => ScrapeAsync(monitor, "contended")));
        var polls = slow.Requests;
        var next = await ScrapeAsync(monitor, "contended");

        Assert.All(scrapes, s => Assert.Equal(1, Value(s, "pgmedic_probe_attempts_total")));
        Assert.Equal(1, polls);
        Assert.Equal(2, Value(next, "pgmedic_probe_attempts_total"));
        Assert.Equal(2, slow.Requests);
    }

    [Fact]
    public async Task Probe_WithAccessToken_RefusesAScrapeWithoutTheBearerToken()
    {
        const string token = "probe-token-0123456789";
        await using var monitor = await RunningMonitor.StartAsync(fixture.Sandbox.SuperuserTarget, o => o with { AccessToken = token }, name: "guarded");

        using var refused = await monitor.Http.GetAsync(new Uri("/probe?target=guarded", UriKind.Relative));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/probe?target=guarded", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var accepted = await monitor.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.DoesNotContain("pgmedic_", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Contains("pgmedic_probe_success{target=\"guarded\"} 1", await accepted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<string> ScrapeAsync(RunningMonitor monitor, string target)
    {
        using var response = await monitor.Http.GetAsync(new Uri($"/probe?target={target}", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return text;
    }

    private static double Value(string text, string metric) =>
        double.Parse(text.Split('\n').Single(l => l.StartsWith(metric + "{", StringComparison.Ordinal)).Split(' ')[^1], CultureInfo.InvariantCulture);

    /// <summary>Each metric family's TYPE and HELP, by name.</summary>
    private static Dictionary<string, (string Type, string Help)> Families(string text)
    {
        var types = TypeLine().Matches(text).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var helps = HelpLine().Matches(text).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        return types.Where(t => t.Key.StartsWith("pgmedic_", StringComparison.Ordinal)).ToDictionary(t => t.Key, t => (t.Value, helps.GetValueOrDefault(t.Key) ?? string.Empty));
    }

    [GeneratedRegex(@"^# TYPE (\S+) (\S+)$", RegexOptions.Multiline)]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"^# HELP (\S+) (.*)$", RegexOptions.Multiline)]
    private static partial Regex HelpLine();

    /// <summary>A service's /health/pool that answers slowly (with an error status), counting requests.</summary>
    private sealed class SlowEndpoint : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _requests;

        private SlowEndpoint(WebApplication app, int port)
        {
            _app = app;
            Url = new Uri($"http://127.0.0.1:{port}/health/pool");
        }

        public Uri Url { get; }

        public int Requests => Volatile.Read(ref _requests);

        public static async Task<SlowEndpoint> StartAsync(TimeSpan delay)
        {
            var port = SilentListener.UnusedPort();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
            var app = builder.Build();
            var endpoint = new SlowEndpoint(app, port);
            app.MapGet("/health/pool", async () =>
            {
                Interlocked.Increment(ref endpoint._requests);
                await Task.Delay(delay);
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            });
            await app.StartAsync();
            return endpoint;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
