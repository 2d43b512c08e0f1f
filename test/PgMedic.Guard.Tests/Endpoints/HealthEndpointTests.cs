using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PgMedic.Guard.AspNetCore.Endpoints;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Guard.Tests.Endpoints;

/// <summary>A real Kestrel host on 127.0.0.1 in front of its own sandbox, which these tests stop and start.</summary>
public sealed class HealthEndpointTests : IAsyncLifetime
{
    private PostgresSandbox _sandbox = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false });
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddPgMedicGuard(Guards.OptionsFor(_sandbox, "http-guard", o => (o.PoolSize, o.MaxOverflow, o.ConnectTimeout) = (2, 0, TimeSpan.FromSeconds(3))));
        _app = builder.Build();
        _app.MapPgMedicGuard(o => (o.EnablePoolEndpoint, o.PoolToken, o.HealthTimeout) = (true, "pool-token", TimeSpan.FromSeconds(3)));
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _http = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task GetHealth_DatabaseUp_RunbooksExactAnswer()
    {
        using var response = await _http.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"status":"healthy","database":"connected"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task GetHealth_ServerStopped_503DisconnectedThenHealthyAfterRestart()
    {
        await _sandbox.StopServerAsync();

        using var down = await _http.GetAsync(new Uri("/health", UriKind.Relative));
        var body = await down.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Equal("unhealthy", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("disconnected", json.RootElement.GetProperty("database").GetString());
        Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty("error").GetString()));
        Assert.DoesNotContain(_sandbox.SuperuserPassword, body, StringComparison.Ordinal);

        // The health check's own checkout could not connect: the pool document counts it, within the contract.
        var pool = await _http.GetStringAsync(new Uri("/health/pool", UriKind.Relative));
        using (var document = JsonDocument.Parse(pool))
        {
            Assert.True(document.RootElement.GetProperty("pool").GetProperty("connectFailures").GetInt64() >= 1, pool);
        }

        Assert.Equal(string.Empty, await JsonSchemas.ProblemsAsync("pool-endpoint.schema.json", pool));

        await _sandbox.StartServerAsync();
        using var up = await _http.GetAsync(new Uri("/health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, up.StatusCode);
    }

    [Fact]
    public async Task GetHealth_MaintenanceMode_503WithStatusMaintenance()
    {
        var guard = _app.Services.GetRequiredService<GuardedDataSource>();
        guard.EnterMaintenance("emergency restart");

        using var response = await _http.GetAsync(new Uri("/health", UriKind.Relative));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("maintenance", json.RootElement.GetProperty("status").GetString());
        Assert.Contains("emergency restart", json.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetHealthPool_ConnectionHeld_ListsHolderWithPidCallSiteAndAge()
    {
        var guard = _app.Services.GetRequiredService<GuardedDataSource>();
        await using var held = await guard.OpenConnectionAsync();

        using var response = await _http.GetAsync(new Uri("/health/pool", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var pool = json.RootElement.GetProperty("pool");
        Assert.Equal((2, 1, 0), (pool.GetProperty("poolSize").GetInt32(), pool.GetProperty("checkedOut").GetInt32(), pool.GetProperty("waiting").GetInt32()));
        var holder = Assert.Single(json.RootElement.GetProperty("holders").EnumerateArray());
        Assert.Equal(held.ProcessID, holder.GetProperty("backendPid").GetInt32());
        Assert.EndsWith("HealthEndpointTests.cs", holder.GetProperty("callSite").GetProperty("file").GetString(), StringComparison.Ordinal);
        Assert.Equal(nameof(GetHealthPool_ConnectionHeld_ListsHolderWithPidCallSiteAndAge), holder.GetProperty("callSite").GetProperty("member").GetString());
        Assert.True(holder.GetProperty("callSite").GetProperty("line").GetInt32() > 0);
        Assert.True(holder.GetProperty("ageSeconds").GetDouble() >= 0);
        Assert.Equal(string.Empty, await JsonSchemas.ProblemsAsync("pool-endpoint.schema.json", body));
        Assert.Equal(Environment.ProcessId, json.RootElement.GetProperty("process").GetProperty("pid").GetInt32());
        Assert.DoesNotContain(_sandbox.SuperuserPassword, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetHealthPool_ForwardedRequest_RefusedWithoutTokenServedWithIt()
    {
        using var forwarded = new HttpRequestMessage(HttpMethod.Get, "/health/pool");
        forwarded.Headers.Add("X-Forwarded-For", "203.0.113.9");
        using var refused = await _http.SendAsync(forwarded);

        using var withToken = new HttpRequestMessage(HttpMethod.Get, "/health/pool");
        withToken.Headers.Add("X-Forwarded-For", "203.0.113.9");
        withToken.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "pool-token");
        using var served = await _http.SendAsync(withToken);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public void GuardEndpointOptions_Defaults_PoolEndpointOff()
    {
        var options = new GuardEndpointOptions();

        Assert.False(options.EnablePoolEndpoint);
        Assert.Equal(("/health", "/health/pool"), (options.HealthPath, options.PoolPath));
    }
}
