using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Npgsql;
using PgMedic.Monitor.Configuration;
using PgMedic.Postgres.Sandbox;

namespace PgMedic.Monitor.Tests.Targets;

/// <summary>Targets from Prometheus <c>file_sd</c> files in a watched directory, followed while <c>serve</c> runs.</summary>
[Collection(MonitorCollection.Name)]
public sealed class TargetDirectoryTests(MonitorSandbox fixture) : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private readonly string _directory = Directory.CreateTempSubdirectory("pgmedic-targets-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task TargetDirectory_FileAddedThenRemovedWhileServing_PollingStartsWithinOneIntervalAndStops()
    {
        var sandbox = fixture.Sandbox;
        var database = $"live_{Guid.NewGuid():N}"[..16];
        await sandbox.ExecuteAsync($"CREATE DATABASE {database}");
        try
        {
            var variables = new Dictionary<string, string> { ["SHOP_DB_PASSWORD"] = sandbox.SuperuserPassword };
            await using var monitor = await RunningMonitor.StartAsync(sandbox.SuperuserTarget, o => o with
            {
                Targets = [],
                TargetDirectory = _directory,
                PollInterval = Interval,
                TargetEnvironment = variables.GetValueOrDefault,
            });
            Assert.Equal(0, (await monitor.GetJsonAsync("/api/targets")).GetArrayLength());

            var file = Path.Combine(_directory, "shop.yml");
            var added = Stopwatch.StartNew();
            await File.WriteAllTextAsync(file, $"""
                # written by the platform's inventory job
                - targets: ['127.0.0.1:{sandbox.Port}']
                  labels:
                    name: shop
                    database: {database}
                    user: postgres
                    password_env: SHOP_DB_PASSWORD
                    options: connect_timeout=5
                """);
            await WaitAsync(async () => await TargetAsync(monitor, "shop") is { } t && t.GetProperty("polledAt").ValueKind != JsonValueKind.Null, "the added target's first poll");
            var polled = added.Elapsed;
            var shop = (await TargetAsync(monitor, "shop"))!.Value;

            Assert.True(polled < Interval, $"first poll {polled.TotalMilliseconds:0} ms after the file was written; the interval is {Interval.TotalMilliseconds:0} ms");
            Assert.True(shop.GetProperty("lifeline").GetBoolean());
            Assert.Equal("connected", shop.GetProperty("database").GetString());
            Assert.Equal(file, shop.GetProperty("sourceFile").GetString());
            Assert.Equal(1, await LifelinesAsync(database));

            File.Delete(file);
            await WaitAsync(async () => await TargetAsync(monitor, "shop") is null, "the removed target to leave the API");
            await WaitAsync(async () => await LifelinesAsync(database) == 0, "the removed target's lifeline to close");
            await Task.Delay(500);
            using var gone = await monitor.Http.GetAsync(new Uri("/api/targets/shop", UriKind.Relative));
            var attempts = await ProbeAttemptsAsync(database);
            await Task.Delay(Interval * 2);

            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
            Assert.DoesNotContain("target=\"shop\"", await monitor.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
            Assert.Equal(0, await LifelinesAsync(database));
            Assert.Equal(attempts, await ProbeAttemptsAsync(database));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await sandbox.ExecuteAsync($"DROP DATABASE {database} WITH (FORCE)");
        }
    }

    [Fact]
    public async Task TargetDirectory_FileOfATargetWithAFiringAlertRemoved_AlertClosedAsNoLongerWatched()
    {
        var sandbox = fixture.Sandbox;
        var variables = new Dictionary<string, string> { ["DB_PASSWORD"] = sandbox.SuperuserPassword };
        await using var monitor = await RunningMonitor.StartAsync(sandbox.SuperuserTarget, o => o with
        {
            Targets = [],
            TargetDirectory = _directory,
            PollInterval = TimeSpan.FromMilliseconds(250),
            TargetEnvironment = variables.GetValueOrDefault,
            Alerts = o.Alerts with { ConnectionSaturation = new Core.Alerts.SaturationRuleOptions { WarningPercent = 60, CriticalPercent = 100 } },
        });
        var file = Path.Combine(_directory, "full.json");
        await File.WriteAllTextAsync(file, $$"""[ { "targets": ["127.0.0.1:{{sandbox.Port}}"], "labels": { "name": "full", "database": "postgres", "user": "postgres", "password_env": "DB_PASSWORD" } } ]""");
        await using (var held = await Testing.HeldConnections.OpenAsync(sandbox.SuperuserTarget, 17, "filler"))
        {
            // 17 held and the lifeline: 72 % of 25 usable slots, the warning alone (critical only at 100 %).
            await monitor.WaitForAlertsAsync(a => RunningMonitor.Firing(a, "connection-saturation", "warning"), "the warning on the full server");
            File.Delete(file);
            await monitor.WaitForAlertsAsync(a => a.Count == 0, "the removed target's alerts to close");
        }

        var events = (await monitor.GetJsonAsync("/api/alerts/events?target=full")).EnumerateArray().ToList();
        var closed = Assert.Single(events, e => e.GetProperty("state").GetString() == "resolved");
        Assert.Equal("connection-saturation", closed.GetProperty("alert").GetString());
        Assert.StartsWith("no longer watched: the target was removed from full.json (last seen: ", closed.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TargetDirectory_PasswordFromASecretFile_TargetIsPolled()
    {
        var sandbox = fixture.Sandbox;
        var secret = Path.Combine(_directory, "secrets", "db");
        Directory.CreateDirectory(Path.GetDirectoryName(secret)!);
        await File.WriteAllTextAsync(secret, sandbox.SuperuserPassword + "\n");
        await File.WriteAllTextAsync(Path.Combine(_directory, "db.json"), $$"""
            [ { "targets": ["127.0.0.1:{{sandbox.Port}}"], "labels": { "database": "postgres", "user": "postgres", "password_file": "{{secret}}" } } ]
            """);
        var options = ReadConfig($$"""{ "targetDirectory": "{{_directory}}", "port": 0 }""");
        var name = $"127.0.0.1-{sandbox.Port}-postgres";

        await using var monitor = await RunningMonitor.StartAsync(sandbox.SuperuserTarget, o => options with { HistoryPath = o.HistoryPath, AuditLogPath = o.AuditLogPath, PollInterval = TimeSpan.FromMilliseconds(250) });
        await monitor.WaitForFirstPollAsync();
        var target = await monitor.GetJsonAsync("/api/targets/" + name);

        Assert.Equal(name, Assert.Single(options.Targets).Name);
        Assert.True(target.GetProperty("lifeline").GetBoolean());
        Assert.DoesNotContain(sandbox.SuperuserPassword, target.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "database": "shop", "password": "{0}" }""", "a password in a target file is refused")]
    [InlineData("""{ "database": "shop", "options": "sslmode=disable password={0}" }""", "a password in the 'options' label is refused")]
    public void TargetDirectory_PasswordInTheFile_RefusedWithAClearErrorNotShowingIt(string labels, string message)
    {
        const string password = "Sup3r-secret-in-file";
        File.WriteAllText(Path.Combine(_directory, "bad.json"), $$"""[ { "targets": ["db.internal:5432"], "labels": {{labels.Replace("{0}", password, StringComparison.Ordinal)}} } ]""");

        var error = Assert.Throws<MonitorConfigException>(() => ReadConfig($$"""{ "targetDirectory": "{{_directory}}" }"""));

        var line = Assert.Single(error.Errors);
        Assert.Contains("bad.json", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.Contains(".pgpass", line, StringComparison.Ordinal);
        Assert.DoesNotContain(password, line, StringComparison.Ordinal);
    }

    [Fact]
    public void TargetDirectory_LoginInTheAddressOrAMissingVariable_EachRefusedOnItsOwnLine()
    {
        File.WriteAllText(Path.Combine(_directory, "a.json"), """[ { "targets": ["app:hunter2@db.internal:5432"], "labels": { "database": "shop" } } ]""");
        File.WriteAllText(Path.Combine(_directory, "b.yaml"), "- targets: ['db2.internal:5432']\n  labels: { database: billing, password_env: NOT_SET_ANYWHERE }\n");

        var error = Assert.Throws<MonitorConfigException>(() => ReadConfig($$"""{ "targetDirectory": "{{_directory}}" }"""));

        Assert.Equal(2, error.Errors.Count);
        Assert.Contains(error.Errors, e => e.Contains("a.json", StringComparison.Ordinal) && e.Contains("a login in the address is refused", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("b.yaml", StringComparison.Ordinal) && e.Contains("'password_env' names NOT_SET_ANYWHERE, which is not set", StringComparison.Ordinal));
        Assert.All(error.Errors, e => Assert.DoesNotContain("hunter2", e, StringComparison.Ordinal));
    }

    [Fact]
    public void TargetDirectory_ObjectiveAndSessionSamplingSetAtTheTop_FileTargetsTakeThem()
    {
        File.WriteAllText(Path.Combine(_directory, "fleet.json"), """[ { "targets": ["db.internal:5432"], "labels": { "database": "shop", "user": "monitor" } } ]""");

        var sampled = ReadConfig($$"""{ "targetDirectory": "{{_directory}}", "slo": { "objective": 99.5, "window": "7d" }, "sessionHistory": { "interval": "2s" } }""");
        var unsampled = ReadConfig($$"""{ "targetDirectory": "{{_directory}}", "sessionHistory": { "enabled": false } }""");

        var target = Assert.Single(sampled.Targets);
        Assert.Equal(new Core.Slo.SloOptions { ObjectivePercent = 99.5, Window = TimeSpan.FromDays(7) }, target.Slo);
        Assert.True(target.SessionHistory);
        Assert.Equal(TimeSpan.FromSeconds(2), target.SampleInterval(sampled.PollInterval));
        Assert.False(Assert.Single(unsampled.Targets).SessionHistory);
        Assert.Equal(new Core.Slo.SloOptions(), unsampled.Targets[0].Slo);
    }

    private MonitorOptions ReadConfig(string json)
    {
        var path = Path.Combine(_directory, "..", Path.GetFileName(_directory) + ".config.json");
        File.WriteAllText(path, json);
        try
        {
            return MonitorConfigReader.Read(path, [], _ => null, null);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<JsonElement?> TargetAsync(RunningMonitor monitor, string name) =>
        (await monitor.GetJsonAsync("/api/targets")).EnumerateArray().Where(t => t.GetProperty("name").GetString() == name).Select(t => (JsonElement?)t).FirstOrDefault();

    /// <summary>The monitor's lifelines to <paramref name="database"/>, as the server sees them.</summary>
    private async Task<long> LifelinesAsync(string database)
    {
        await using var connection = await PostgresSandbox.OpenAsync(fixture.Sandbox.SuperuserTarget);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgmedic' AND datname = $1", connection);
        command.Parameters.AddWithValue(database);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Connections the server accepted into <paramref name="database"/> so far (pg_stat_database counts sessions from PostgreSQL 14).</summary>
    private async Task<long> ProbeAttemptsAsync(string database)
    {
        await using var connection = await PostgresSandbox.OpenAsync(fixture.Sandbox.SuperuserTarget);
        await using var command = new NpgsqlCommand("SELECT sessions FROM pg_stat_database WHERE datname = $1", connection);
        command.Parameters.AddWithValue(database);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<TimeSpan> WaitAsync(Func<Task<bool>> condition, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (stopwatch.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new TimeoutException($"waited 20 s for {what}");
            }

            await Task.Delay(50);
        }

        return stopwatch.Elapsed;
    }
}
