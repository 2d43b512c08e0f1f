using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using PgMedic.Monitor.Api;

namespace PgMedic.Monitor.Tests.Api;

/// <summary>What a browser, a rebinding page or a careless client meets on every answer of <c>serve</c>.</summary>
[Collection(MonitorCollection.Name)]
public sealed class HttpHardeningTests(MonitorSandbox fixture)
{
    private const string Token = "hardening-token-0123456789";

    [Fact]
    public async Task EveryAnswer_CarriesSecurityHeadersAndNoServerHeader()
    {
        await using var monitor = await RunningMonitor.StartAsync(fixture.Sandbox.SuperuserTarget);
        foreach (var path in new[] { "/", "/health", "/api/targets", "/metrics", "/api/nothing-here" })
        {
            using var response = await monitor.Http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            Assert.False(response.Headers.Contains("Server"), path);
        }
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("127.0.0.1.nip.io")]
    public async Task ForeignHostHeader_ThatADnsRebindingPageSends_Refused421WithProblemDetails(string host)
    {
        await using var monitor = await RunningMonitor.StartAsync(fixture.Sandbox.SuperuserTarget);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/targets", UriKind.Relative));
        request.Headers.Host = $"{host}:{monitor.Address.Port}";

        using var response = await monitor.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.MisdirectedRequest, response.StatusCode);
        Assert.Equal("unexpected Host header", (await ProblemAsync(response)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task ConfiguredAllowedHost_Answered()
    {
        await using var monitor = await RunningMonitor.StartAsync(fixture.Sandbox.SuperuserTarget, o => o with { AllowedHosts = ["pgmedic.internal"] });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/targets", UriKind.Relative));
        request.Headers.Host = "pgmedic.internal";

        using var response = await monitor.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ErrorAnswers_404_405_415_400_413_AreProblemDetailsNotEmptyBodies()
    {
        await using var monitor = await RunningMonitor.StartAsync(fixture.Sandbox.SuperuserTarget, o => o with { AccessToken = Token, ReadOnly = false });
        monitor.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var heal = new Uri("/api/targets/main/actions/heal", UriKind.Relative);

        using var notFound = await monitor.Http.GetAsync(new Uri("/api/no-such-thing", UriKind.Relative));
        using var wrongMethod = await monitor.Http.DeleteAsync(new Uri("/api/targets", UriKind.Relative));
        using var wrongType = await monitor.Http.PostAsync(heal, new StringContent("dryRun=true", Encoding.UTF8, "text/plain"));
        using var badJson = await monitor.Http.PostAsync(heal, new StringContent("{\"dryRun\": ", Encoding.UTF8, "application/json"));
        using var huge = await monitor.Http.PostAsync(heal, new StringContent($"{{\"dryRun\": true, \"pad\": \"{new string('x', (int)HttpHardening.MaxRequestBodyBytes + 1)}\"}}", Encoding.UTF8, "application/json"));

        Assert.Equal(
            [HttpStatusCode.NotFound, HttpStatusCode.MethodNotAllowed, HttpStatusCode.UnsupportedMediaType, HttpStatusCode.BadRequest, HttpStatusCode.RequestEntityTooLarge],
            new[] { notFound, wrongMethod, wrongType, badJson, huge }.Select(r => r.StatusCode));
        foreach (var response in new[] { notFound, wrongMethod, wrongType, badJson, huge })
        {
            var problem = await ProblemAsync(response);
            Assert.Equal((int)response.StatusCode, problem.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        }
    }

    [Fact]
    public async Task Actions_MoreThanTheRateLimit_Answered429WithRetryAfter()
    {
        await using var monitor = await RunningMonitor.StartAsync(fixture.Sandbox.SuperuserTarget, o => o with { AccessToken = Token, ReadOnly = false, ActionRateLimit = 2, ActionRateWindow = TimeSpan.FromMinutes(1) });
        monitor.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        await Task.Delay(800);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await monitor.Http.PostAsync(new Uri("/api/targets/main/actions/heal", UriKind.Relative), new StringContent("{\"dryRun\": true}", Encoding.UTF8, "application/json"));
            statuses.Add(response.StatusCode);
            if (i == 2)
            {
                Assert.Equal("60", response.Headers.GetValues("Retry-After").Single());
                Assert.Equal("too many actions", (await ProblemAsync(response)).GetProperty("title").GetString());
            }
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task DashboardCookie_HoldsADerivedValueThatIsNotTheTokenAndIsNoBearer()
    {
        var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false };
        await using var monitor = await RunningMonitor.StartAsync(fixture.Sandbox.SuperuserTarget, o => o with { AccessToken = Token, ReadOnly = false });
        using var http = new HttpClient(handler) { BaseAddress = monitor.Address };

        using var opened = await http.GetAsync(new Uri($"/?token={Token}", UriKind.Relative));
        var cookie = opened.Headers.GetValues("Set-Cookie").Single();
        var value = cookie.Split(';')[0].Split('=', 2)[1];
        using var read = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/targets", UriKind.Relative)) { Headers = { { "Cookie", $"{AccessToken.CookieName}={value}" } } };
        using var readAnswer = await http.SendAsync(read);
        using var asBearer = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/targets/main/actions/heal", UriKind.Relative)) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        asBearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", value);
        using var bearerAnswer = await http.SendAsync(asBearer);

        Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        Assert.DoesNotContain(Token, cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, readAnswer.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, bearerAnswer.StatusCode);
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
