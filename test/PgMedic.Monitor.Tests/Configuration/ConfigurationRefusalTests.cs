using System.Net;
using System.Net.Sockets;
using PgMedic.Monitor.Configuration;
using PgMedic.Testing;

namespace PgMedic.Monitor.Tests.Configuration;

/// <summary>Settings that would be silently lost or would expose the monitor are refused before it starts, each in one line.</summary>
public sealed class ConfigurationRefusalTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pgmedic-config-refusal-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Read_TyposInKeys_EachNamedWithTheKeyMeant()
    {
        var path = Write("""
            {
              "readOnyl": false,
              "pollIntervall": "5s",
              "targets": [ { "name": "shop", "connection": "postgres://monitor@db/shop", "tresholds": { "warningPercent": 70 }, "heal": { "idleFr": "1m" } } ],
              "alerts": { "leakGrowth": { "minGrowht": 3 } },
              "somethingElse": 1
            }
            """);

        var errors = Assert.Throws<MonitorConfigException>(() => MonitorConfigReader.Read(path, [], _ => null, null)).Errors;

        Assert.Contains(errors, e => e.EndsWith("unknown key 'readOnyl' — did you mean 'readOnly'?", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.EndsWith("unknown key 'pollIntervall' — did you mean 'pollInterval'?", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.EndsWith("unknown key 'targets[0].tresholds' — did you mean 'targets[0].thresholds'?", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.EndsWith("unknown key 'targets[0].heal.idleFr' — did you mean 'targets[0].heal.idleFor'?", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.EndsWith("unknown key 'alerts.leakGrowth.minGrowht' — did you mean 'alerts.leakGrowth.minGrowth'?", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("unknown key 'somethingElse' in the top level", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_KeysInAnotherCase_AcceptedAsTheConfigurationSystemReadsThem()
    {
        var path = Write("""{ "ReadOnly": true, "targets": [ { "Name": "shop", "connection": "postgres://monitor@db/shop" } ] }""");

        var options = MonitorConfigReader.Read(path, [], _ => null, null);

        Assert.Equal("shop", options.Targets[0].Name);
    }

    [Theory]
    [InlineData("\"timeout\": \"0\"", "timeout must be between 100ms and 10m")]
    [InlineData("\"timeout\": \"2h\"", "timeout must be between 100ms and 10m")]
    [InlineData("\"pollInterval\": \"2h\"", "pollInterval must be between 100ms and 1h")]
    [InlineData("\"port\": 99999", "port must be between 0 and 65535")]
    [InlineData("\"listen\": \"0.0.0.0\"", "reachable from the network but no accessToken is set")]
    [InlineData("\"allowedHosts\": [\"bad host!\"]", "allowedHosts: 'bad host!' is not a host name")]
    [InlineData("\"actionRateLimit\": { \"permits\": 0 }", "actionRateLimit.permits must be between 1 and 10000")]
    public void Read_ValueOutOfBounds_Refused(string setting, string expected)
    {
        var path = Write($$"""{ {{setting}}, "targets": [ { "name": "shop", "connection": "postgres://monitor@db/shop" } ] }""");

        var errors = Assert.Throws<MonitorConfigException>(() => MonitorConfigReader.Read(path, [], _ => null, null)).Errors;

        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Read_NetworkAddressWithTokenOrExplicitlyAllowed_Accepted()
    {
        var withToken = Write("""{ "listen": "0.0.0.0", "accessToken": "0123456789abcdef-token", "targets": [ { "name": "shop", "connection": "postgres://monitor@db/shop" } ] }""");
        var allowed = Write("""{ "listen": "0.0.0.0", "allowUnauthenticatedNetwork": true, "targets": [ { "name": "shop", "connection": "postgres://monitor@db/shop" } ] }""");

        Assert.False(MonitorConfigReader.Read(withToken, [], _ => null, null).IsLoopback);
        Assert.True(MonitorConfigReader.Read(allowed, [], _ => null, null).AllowUnauthenticatedNetwork);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("99999")]
    public async Task Serve_PortOutOfRange_ExitThreeOneLineNoTrace(string port)
    {
        var path = Write("""{ "targets": [ { "name": "shop", "connection": "postgres://monitor@127.0.0.1:1/shop" } ] }""");
        using var serve = PgMedicProcess.Start("serve", "--config", path, "--port", port);

        Assert.Equal(3, await serve.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var line = Assert.Single(serve.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"--port {port} is not a TCP port", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_PortAlreadyTaken_OneLineExitThreeNoStackTrace()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var path = Write($$"""{ "port": {{port}}, "history": { "path": "{{Path.Combine(_directory, "h.db")}}" }, "targets": [ { "name": "shop", "connection": "postgres://monitor@127.0.0.1:1/shop" } ] }""");
        using var serve = PgMedicProcess.Start("serve", "--config", path);

        Assert.Equal(3, await serve.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains($"cannot listen on 127.0.0.1:{port}", serve.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", serve.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", serve.Output, StringComparison.Ordinal);
    }

    private string Write(string json)
    {
        var path = Path.Combine(_directory, $"pgmedic-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }
}
