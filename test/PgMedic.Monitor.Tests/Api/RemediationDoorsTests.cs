using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using PgMedic.Core.Remediation;
using PgMedic.Postgres.Remediation;
using PgMedic.Postgres.Targets;
using PgMedic.Testing;

namespace PgMedic.Monitor.Tests.Api;

/// <summary>
/// One incident — sessions leaked idle in a transaction and a lock chain whose head sits idle in its
/// transaction — staged once per door: <c>pgmedic heal --yes</c> and the monitor's heal endpoint must take
/// the same sessions in the same steps, verify the same way and stop once healthy; two runs at once are one
/// too many.
/// </summary>
[Collection(MonitorCollection.Name)]
public sealed class RemediationDoorsTests(MonitorSandbox fixture) : IAsyncLifetime
{
    private const string Token = "doors-test-token-0123456789";
    private readonly string _database = $"doors_{Guid.NewGuid():N}"[..20];
    private readonly string _directory = Directory.CreateTempSubdirectory("pgmedic-doors-").FullName;
    private ConnectionTarget _app = null!;

    private ConnectionTarget Admin => fixture.Sandbox.SuperuserTarget.WithDatabase(_database);

    public async Task InitializeAsync()
    {
        await fixture.Sandbox.ExecuteAsync($"CREATE DATABASE {_database}");
        await fixture.Sandbox.ExecuteAsync("CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO orders VALUES (1)", _database);
        var role = $"app_{_database}";
        _app = (await fixture.Sandbox.CreateRoleAsync(role, "doors-app-pw", database: _database)).WithDatabase(_database);
        await fixture.Sandbox.ExecuteAsync($"GRANT ALL ON orders TO {role}", _database);
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await fixture.Sandbox.ExecuteAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{_database}' AND pid <> pg_backend_pid()");
        await fixture.Sandbox.ExecuteAsync($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Heal_CliAndMonitorOnTheSameIncident_SamePlanSameStepsSameVerificationAndBothStopWhenHealthy()
    {
        await using var monitor = await StartMonitorAsync();
        var cliAudit = Path.Combine(_directory, "cli.jsonl");

        await using var first = await Incident.StageAsync(_app);
        var cliPlan = Plans(JsonDocument.Parse(await RunCliAsync(0, "heal", Admin.ToUrl(), "--iit-for", "1s", "--waiting-for", "1s", "--audit-log", cliAudit, "--format", "json")).RootElement);
        var monitorPlan = Plans(await HealAsync(monitor, dryRun: true));
        Assert.Equal(cliPlan, monitorPlan);
        Assert.Equal($"idle-in-transaction: {string.Join(',', first.Leaked.Concat([first.Head]).Order())}", cliPlan[0]);
        Assert.Equal(["idle: ", "lock-chain-heads: "], cliPlan[1..]);

        var cli = JsonDocument.Parse(await RunCliAsync(0, "heal", Admin.ToUrl(), "--iit-for", "1s", "--waiting-for", "1s", "--audit-log", cliAudit, "--yes", "--format", "json")).RootElement;
        await first.WaitersFinishedAsync();
        await using var second = await Incident.StageAsync(_app);
        var served = await HealAsync(monitor, dryRun: false);
        await second.WaitersFinishedAsync();

        foreach (var (report, incident) in new[] { (cli, first), (served, second) })
        {
            Assert.Equal("executed", report.GetProperty("outcome").GetString());
            Assert.True(report.GetProperty("healthy").GetBoolean(), report.ToString());
            var steps = report.GetProperty("steps").EnumerateArray().ToList();
            Assert.Equal(["done", "skipped", "skipped"], steps.Select(s => s.GetProperty("status").GetString()));
            var taken = steps[0].GetProperty("results").EnumerateArray().Where(r => r.GetProperty("result").GetString() == "terminated").Select(r => r.GetProperty("action").GetProperty("pid").GetInt32()).Order();
            Assert.Equal(incident.Leaked.Concat([incident.Head]).Order(), taken);
        }

        Assert.Equal(Taken(cli), Taken(served));
        var cliRecords = await AuditAsync(cliAudit);
        var servedRecords = await AuditAsync(monitor.Options.AuditLogPath!);
        Assert.Equal(Verifications(cliRecords), Verifications(servedRecords));
        Assert.All(cliRecords, r => Assert.Equal("cli", r.GetProperty("origin").GetString()));
        Assert.All(servedRecords, r => Assert.Equal("serve", r.GetProperty("origin").GetString()));
    }

    [Fact]
    public async Task Heal_SecondRunWhileOneHoldsTheLock_RefusedNamingTheHolderAndNothingTerminatedTwice()
    {
        await using var monitor = await StartMonitorAsync();
        await using var incident = await Incident.StageAsync(_app);
        var holderAudit = Path.Combine(_directory, "holder.jsonl");
        var cliAudit = Path.Combine(_directory, "second.jsonl");
        var observer = new BlockingObserver();
        await using var connection = new NpgsqlConnection(Admin.ToNpgsqlConnectionString());
        await connection.OpenAsync();
        var request = new RemediationRequest
        {
            Verb = RemediationVerb.Heal,
            Origin = RemediationOrigin.Cli,
            AuditLogPath = holderAudit,
            Heal = new HealOptions { IdleInTransactionFor = TimeSpan.FromSeconds(1), BlockingWaitingFor = TimeSpan.FromSeconds(1) },
        };
        var holder = new RemediationEngine(TimeProvider.System).RunAsync(connection, Admin, request, (_, _) => Task.FromResult(Confirmation.Confirmed), observer, CancellationToken.None);
        await observer.Reached.WaitAsync(TimeSpan.FromSeconds(30));

        var cli = await RunCliAsync(3, "heal", Admin.ToUrl(), "--iit-for", "1s", "--waiting-for", "1s", "--audit-log", cliAudit, "--yes");
        using var served = await PostHealAsync(monitor, dryRun: false);
        observer.Release();
        var report = await holder;

        Assert.Contains($"another remediation holds this server's lock — heal from cli on {Environment.MachineName[..Math.Min(20, Environment.MachineName.Length)]}", cli, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed", cli, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, served.StatusCode);
        var problem = await served.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("cli", problem.GetProperty("holderDoor").GetString());
        Assert.Equal(connection.ProcessID, problem.GetProperty("holderPid").GetInt32());
        Assert.Equal(RunOutcome.Executed, report.Outcome);
        Assert.False(File.Exists(cliAudit), "the refused CLI run acted on nothing, so it wrote no audit records");
        var terminated = (await AuditAsync(holderAudit)).Concat(File.Exists(monitor.Options.AuditLogPath!) ? await AuditAsync(monitor.Options.AuditLogPath!) : [])
            .Where(r => r.GetProperty("event").GetString() == "action-finished")
            .Select(r => r.GetProperty("action").GetProperty("pid").GetInt32())
            .ToList();
        Assert.Equal(incident.Leaked.Concat([incident.Head]).Order(), terminated.Order());
    }

    private async Task<RunningMonitor> StartMonitorAsync() =>
        await RunningMonitor.StartAsync(Admin, options => options with
        {
            ReadOnly = false,
            AccessToken = Token,
            AuditLogPath = Path.Combine(_directory, $"serve-{Guid.NewGuid():N}.jsonl"),
            Targets = [RunningMonitor.Target("main", Admin) with { Heal = new HealOptions { IdleInTransactionFor = TimeSpan.FromSeconds(1), BlockingWaitingFor = TimeSpan.FromSeconds(1) } }],
        });

    private static async Task<string> RunCliAsync(int expectedExit, params string[] args)
    {
        using var process = PgMedicProcess.Start(args);
        int code;
        try
        {
            code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"pgmedic {args[0]} did not finish within 60 s:\n{process.Output}");
        }

        Assert.True(code == expectedExit, $"pgmedic {args[0]} exited {code}, expected {expectedExit}:\n{process.Output}");
        return process.Output;
    }

    private static async Task<HttpResponseMessage> PostHealAsync(RunningMonitor monitor, bool dryRun)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/targets/main/actions/heal", UriKind.Relative))
        {
            Content = JsonContent.Create(new { dryRun }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return await monitor.Http.SendAsync(request);
    }

    private static async Task<JsonElement> HealAsync(RunningMonitor monitor, bool dryRun)
    {
        using var response = await PostHealAsync(monitor, dryRun);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body;
    }

    /// <summary>"step: pid,pid" per step, in order.</summary>
    private static List<string> Plans(JsonElement report) =>
        report.GetProperty("steps").EnumerateArray()
            .Select(s => $"{s.GetProperty("name").GetString()}: {string.Join(',', s.GetProperty("plan").GetProperty("actions").EnumerateArray().Select(a => a.GetProperty("pid").GetInt32()).Order())}")
            .ToList();

    /// <summary>Per step, the terminated sessions by role and application (PIDs differ between stagings).</summary>
    private static List<string> Taken(JsonElement report) =>
        report.GetProperty("steps").EnumerateArray()
            .SelectMany(s => s.GetProperty("results").EnumerateArray().Select(r => $"{s.GetProperty("name").GetString()}: {r.GetProperty("action").GetProperty("user").GetString()}/{r.GetProperty("action").GetProperty("application").GetString()} {r.GetProperty("result").GetString()}"))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static List<string> Verifications(IEnumerable<JsonElement> records) =>
        records.Where(r => r.GetProperty("event").GetString() is "verification" && r.GetProperty("healthy").ValueKind != JsonValueKind.Null)
            .Select(r => $"{r.GetProperty("command").GetString()}/{r.GetProperty("step").GetString()}: healthy={r.GetProperty("healthy").GetBoolean()}")
            .ToList();

    private static async Task<List<JsonElement>> AuditAsync(string path) =>
        (await File.ReadAllLinesAsync(path)).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    /// <summary>Holds the first run at its first step, lock taken and nothing terminated yet, until released.</summary>
    private sealed class BlockingObserver : IRemediationObserver
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ManualResetEventSlim _release = new();

        public Task Reached => _reached.Task;

        public void Release() => _release.Set();

        public void Step(string name, string? runbookStep, int sessions)
        {
            _reached.TrySetResult();
            _release.Wait(TimeSpan.FromSeconds(60));
        }
    }

    /// <summary>Three sessions of "leaky-api" idle in a transaction, and "migration" holding a table lock that two "orders-api" queries wait for.</summary>
    private sealed class Incident : IAsyncDisposable
    {
        private readonly List<NpgsqlConnection> _connections = [];
        private readonly List<Task> _waiters = [];

        public List<int> Leaked { get; } = [];

        public int Head { get; private set; }

        public static async Task<Incident> StageAsync(ConnectionTarget app)
        {
            var incident = new Incident();
            for (var i = 0; i < 3; i++)
            {
                var leaked = await incident.OpenAsync(app, "leaky-api");
                await Execute(leaked, "BEGIN; SELECT 1");
                incident.Leaked.Add(leaked.ProcessID);
            }

            var head = await incident.OpenAsync(app, "migration");
            await Execute(head, "BEGIN; LOCK TABLE orders IN ACCESS EXCLUSIVE MODE");
            incident.Head = head.ProcessID;
            for (var i = 0; i < 2; i++)
            {
                var waiter = await incident.OpenAsync(app, "orders-api");
                incident._waiters.Add(Execute(waiter, "SELECT count(*) FROM orders"));
            }

            // Past the 1 s thresholds both doors use: in the transaction, and waiting for the lock.
            await Task.Delay(1600);
            return incident;
        }

        public async Task WaitersFinishedAsync() => await Task.WhenAll(_waiters).WaitAsync(TimeSpan.FromSeconds(30));

        public async ValueTask DisposeAsync()
        {
            // The lock holder goes first, so the waiters' queries finish before their connections close.
            foreach (var connection in _connections.OrderBy(c => c.ProcessID == Head ? 0 : 1))
            {
                if (connection.ProcessID != Head)
                {
                    await Task.WhenAny(Task.WhenAll(_waiters), Task.Delay(TimeSpan.FromSeconds(10)));
                }

                await connection.DisposeAsync();
            }
        }

        private static async Task Execute(NpgsqlConnection connection, string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }

        private async Task<NpgsqlConnection> OpenAsync(ConnectionTarget app, string application)
        {
            var connection = new NpgsqlConnection(app.ToNpgsqlConnectionString(application));
            await connection.OpenAsync();
            _connections.Add(connection);
            return connection;
        }
    }
}
