using PgMedic.Monitor.Configuration;
using PgMedic.Testing;

namespace PgMedic.Monitor.Tests.Configuration;

public sealed class ConfigurationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pgmedic-config-test-").FullName;

    [Fact]
    public async Task Serve_InvalidConfiguration_ListsEveryErrorAndExits3()
    {
        var path = Write("""
            {
              "pollInterval": "soon",
              "readOnly": false,
              "targets": [
                { "name": "shop db", "connection": "postgres://app:s3cret-pw@db:notaport/shop" },
                { "connection": "" }
              ],
              "alerts": { "connectionSaturation": { "warningPercent": 95, "criticalPercent": 90 } },
              "webhooks": [ { "url": "ftp://example", "format": "teams" } ]
            }
            """);
        using var serve = PgMedicProcess.Start("serve", "--config", path);
        Assert.Equal(3, await serve.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var lines = serve.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.All(lines, l => Assert.StartsWith("pgmedic: config: ", l, StringComparison.Ordinal));
        string[] expected = ["pollInterval 'soon'", "name 'shop db'", "notaport", "targets[1].name is missing", "targets[1].connection is missing", "alerts.connectionSaturation critical threshold (90) is below the warning one (95)", "'ftp://example'", "'teams'", "no accessToken"];
        Assert.All(expected, e => Assert.Contains(lines, l => l.Contains(e, StringComparison.Ordinal)));
        Assert.DoesNotContain("s3cret-pw", serve.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EnvironmentVariables_OverrideTheFileInTheDotnetConvention()
    {
        var path = Write("""{ "port": 9000, "targets": [ { "name": "shop", "connection": "postgres://monitor@db/shop" } ] }""");
        var options = MonitorConfigReader.Read(path, [new("PGMEDIC_port", "9100"), new("PGMEDIC_targets__0__connection", "postgres://other@db2/shop"), new("PGMEDIC_accessToken", "0123456789abcdef-token")], _ => null, null);
        Assert.Equal(9100, options.Port);
        Assert.Equal("db2", options.Targets[0].Connection.Host);
        Assert.Equal("0123456789abcdef-token", options.AccessToken);
        Assert.Equal("127.0.0.1", options.Listen);
        Assert.True(options.ReadOnly);
        Assert.Equal(TimeSpan.FromSeconds(5), options.PollInterval);
    }

    [Fact]
    public void Read_PoolEndpoints_KeptInOrderWithTheFailureWindowAndEveryBadOneReportedMasked()
    {
        var good = Write("""
            {
              "targets": [ { "name": "shop", "connection": "postgres://monitor@db/shop",
                             "poolEndpoints": [ "http://api-1:8080/health/pool", "https://api-2/health/pool" ], "poolToken": "pool-token" } ],
              "alerts": { "databaseConnectionFailure": { "window": "10s", "ratio": 0.2 } }
            }
            """);
        var target = MonitorConfigReader.Read(good, [], _ => null, null).Targets[0];
        Assert.Equal(["http://api-1:8080/health/pool", "https://api-2/health/pool"], target.PoolEndpoints.Select(u => u.ToString()));
        Assert.Equal("pool-token", target.PoolToken);
        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), 0.2), (target.Alerts.DatabaseConnectionFailure.Window, target.Alerts.DatabaseConnectionFailure.For, target.Alerts.DatabaseConnectionFailure.Ratio));

        var bad = Write("""
            { "targets": [ { "name": "shop", "connection": "postgres://monitor@db/shop",
                             "poolEndpoints": [ "ftp://svc:s3cret-pw@api/health/pool", "api-1/health/pool", "http://api-2/health/pool", "http://api-2/health/pool" ] } ] }
            """);
        var errors = Assert.Throws<MonitorConfigException>(() => MonitorConfigReader.Read(bad, [], _ => null, null)).Errors;
        Assert.Equal(
            [
                "targets[0] (shop).poolEndpoints[0]: 'ftp://svc:***@api/health/pool' is not an http(s) URL of a service's /health/pool",
                "targets[0] (shop).poolEndpoints[1]: 'api-1/health/pool' is not an http(s) URL of a service's /health/pool",
                "targets[0] (shop).poolEndpoints[3]: 'http://api-2/health/pool' is listed twice: list each service's endpoint once",
            ],
            errors);
    }

    [Fact]
    public void Read_GuardrailsAppRoles_TheApplicationsRolesReachTheGuardrails()
    {
        var path = Write("""{ "targets": [ { "name": "shop", "connection": "postgres://monitor@db/shop", "guardrails": { "appRoles": ["postgres", "worker"] } } ] }""");

        var options = MonitorConfigReader.Read(path, [], _ => null, null);

        Assert.Equal(["postgres", "worker"], options.Targets[0].Guardrails.AppRoles);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string json)
    {
        var path = Path.Combine(_directory, "pgmedic.json");
        File.WriteAllText(path, json);
        return path;
    }
}
