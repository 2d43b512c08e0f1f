using System.Net;
using System.Net.Http.Headers;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json;
using PgMedic.Testing;

namespace PgMedic.Monitor.Tests.Api;

/// <summary>
/// <c>serve</c> bound to every interface (0.0.0.0): the banner shows that address, plain HTTP is warned
/// about, and the Host check still stands — this machine's names and addresses are answered, a
/// rebinding page's name is 421, with or without a token. The monitored target is a port nothing listens
/// on: for the seconds the port is open on the network, it has nothing to show.
/// </summary>
public sealed class WildcardBindTests : IDisposable
{
    private const string Token = "wildcard-token-0123456789";
    private readonly string _directory = Directory.CreateTempSubdirectory("pgmedic-wildcard-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Serve_WildcardWithoutTokenOrAllowedHosts_BannerSaysZeroesWarnsTwiceAndOnlyThisMachinesNamesAreAnswered()
    {
        var config = Path.Combine(_directory, "pgmedic.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "listen": "0.0.0.0",
              "port": 0,
              "allowUnauthenticatedNetwork": true,
              "history": { "path": "{{Path.Combine(_directory, "history.db")}}" },
              "targets": [ { "name": "nothing", "connection": "postgres://monitor@127.0.0.1:{{SilentListener.UnusedPort()}}/x" } ]
            }
            """);
        using var serve = PgMedicProcess.Start("serve", "--config", config);
        var bound = await serve.WaitForAddressAsync(TimeSpan.FromSeconds(30));
        var output = await serve.WaitForOutputAsync("plain HTTP", TimeSpan.FromSeconds(5));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{bound.Port}") };

        var hostName = Dns.GetHostName();
        var interfaceAddress = NonLoopbackAddress();
        var answers = new Dictionary<string, HttpStatusCode>();
        foreach (var host in new[] { "localhost", "127.0.0.1", hostName, interfaceAddress, "evil.example", "127.0.0.1.nip.io" })
        {
            answers[host] = await StatusForHostAsync(http, host, bound.Port);
        }

        Assert.Equal("0.0.0.0", bound.Host);
        Assert.Contains("reachable from the network without an access token", output, StringComparison.Ordinal);
        Assert.Contains("warning: plain HTTP on a network address: everything shown travels unencrypted", output, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, answers["localhost"]);
        Assert.Equal(HttpStatusCode.OK, answers["127.0.0.1"]);
        Assert.Equal(HttpStatusCode.OK, answers[hostName]);
        Assert.Equal(HttpStatusCode.OK, answers[interfaceAddress]);
        Assert.Equal(HttpStatusCode.MisdirectedRequest, answers["evil.example"]);
        Assert.Equal(HttpStatusCode.MisdirectedRequest, answers["127.0.0.1.nip.io"]);
    }

    [Fact]
    public async Task Serve_WildcardWithTokenAndAllowedHosts_OnlyLoopbackAndTheListedNameAnswered_PlainHttpWarnedForTheToken()
    {
        var config = Path.Combine(_directory, "pgmedic.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "listen": "0.0.0.0",
              "port": 0,
              "accessToken": "{{Token}}",
              "allowedHosts": [ "pgmedic.internal" ],
              "history": { "path": "{{Path.Combine(_directory, "history.db")}}" },
              "targets": [ { "name": "nothing", "connection": "postgres://monitor@127.0.0.1:{{SilentListener.UnusedPort()}}/x" } ]
            }
            """);
        using var serve = PgMedicProcess.Start("serve", "--config", config);
        var bound = await serve.WaitForAddressAsync(TimeSpan.FromSeconds(30));
        var output = await serve.WaitForOutputAsync("plain HTTP", TimeSpan.FromSeconds(5));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{bound.Port}") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);

        Assert.Equal("0.0.0.0", bound.Host);
        Assert.DoesNotContain("without an access token", output, StringComparison.Ordinal);
        Assert.Contains("warning: plain HTTP on a network address: the access token and everything shown travel unencrypted", output, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await StatusForHostAsync(http, "pgmedic.internal", bound.Port));
        Assert.Equal(HttpStatusCode.OK, await StatusForHostAsync(http, "localhost", bound.Port));
        Assert.Equal(HttpStatusCode.MisdirectedRequest, await StatusForHostAsync(http, Dns.GetHostName(), bound.Port));
        Assert.Equal(HttpStatusCode.MisdirectedRequest, await StatusForHostAsync(http, "evil.example", bound.Port));
    }

    private static async Task<HttpStatusCode> StatusForHostAsync(HttpClient http, string host, int port)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/targets", UriKind.Relative));
        request.Headers.Host = $"{host}:{port}";
        using var response = await http.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.MisdirectedRequest)
        {
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("unexpected Host header", problem.GetProperty("title").GetString());
        }

        return response.StatusCode;
    }

    /// <summary>An address of this machine's that is not loopback (the test machine has one: its network interface).</summary>
    private static string NonLoopbackAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == OperationalStatus.Up)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .First(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
            .ToString();
}
