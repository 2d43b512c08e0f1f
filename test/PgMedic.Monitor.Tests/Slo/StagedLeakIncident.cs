using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using PgMedic.Core.Slo;
using PgMedic.Guard.Errors;
using PgMedic.Monitor.Configuration;
using PgMedic.Monitor.History;
using PgMedic.Monitor.Tests.Notifications;
using PgMedic.Monitor.Tests.Polling;
using PgMedic.Postgres.Sandbox;

namespace PgMedic.Monitor.Tests.Slo;

/// <summary>
/// The staged incident, run once for the tests of <see cref="StagedLeakIncidentTests"/>: on its own server with
/// 20 usable slots, a service (PgMedic.Guard, pool of 18, 20 ms pool timeout, <c>/health/pool</c>) makes 10
/// checkouts every 5 s poll of a monitor on a fake clock, after 30 days of the same traffic, all good, in
/// its history. From poll 1 the service's invoice export leaks one connection a poll, idle in a transaction,
/// until poll 18: with the monitor's lifeline, 19 of 20 usable slots — 95 %. From poll 19 to 78 (5 minutes)
/// the pool is exhausted and every checkout times out; after poll 78 the leaked connections are given back
/// (healed) and checkouts succeed again until poll 162, 7 minutes later. The clock then stands still.
/// </summary>
public sealed class StagedLeakIncident : IAsyncLifetime
{
    public const string Target = "shop";
    public const int PerPoll = 10;
    public const int LastLeak = 18;
    public const int LastFailing = 78;
    public const int LastPoll = 162;
    public const string LeakQuery = "SELECT id, total FROM invoices WHERE id = 42";
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    private readonly List<NpgsqlConnection> _leaked = [];
    private PostgresSandbox? _sandbox;
    private GuardedShopService? _service;

    internal FakeClockMonitor Monitor { get; private set; } = null!;

    internal WebhookReceiver Receiver { get; } = new();

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("pgmedic-staged-incident-").FullName;

    public string HistoryPath => Path.Combine(Directory, "history.db");

    /// <summary>The first poll: the minute the 30 days of history end.</summary>
    public DateTimeOffset T0 { get; private set; }

    /// <summary>What the service did, as the objective counts it: the 30 days before (one entry a minute), then each poll's checkouts.</summary>
    public List<SloEntry> Attempts { get; } = [];

    /// <summary>The monitor's own objective counters after each poll: what its /metrics exports as <c>pgmedic_slo_attempts_total</c> and <c>pgmedic_slo_failures_total</c>.</summary>
    public List<(DateTimeOffset At, long Attempts, long Failures)> Scraped { get; } = [];

    /// <summary>/metrics once the clock stopped.</summary>
    public string Metrics { get; private set; } = string.Empty;

    public PostgresSandbox Sandbox => _sandbox!;

    public DateTimeOffset At(int poll) => T0 + (poll * Poll);

    public async Task InitializeAsync()
    {
        _sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { MaxConnections = 23, SuperuserReservedConnections = 3, CreatePgStatStatements = false });
        await _sandbox.ExecuteAsync("CREATE TABLE invoices (id int PRIMARY KEY, total numeric); INSERT INTO invoices VALUES (42, 99.5)");

        // Real time minus the incident's length, so that the history reads as recent.
        var now = DateTimeOffset.UtcNow;
        T0 = new DateTimeOffset(now.UtcTicks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero) - TimeSpan.FromMinutes(20);
        var seeded = Enumerable.Range(1, 30 * 1440).Select(m => new SloEntry(T0 - TimeSpan.FromDays(30) + TimeSpan.FromMinutes(m), new SloCounts(12 * PerPoll, 0, 60))).ToList();
        using (var store = new SqliteHistoryStore(HistoryPath))
        {
            await store.AddSloMinutesAsync(Target, seeded, CancellationToken.None);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Attempts.AddRange(seeded);

        _service = await GuardedShopService.StartAsync(_sandbox.SuperuserTarget, poolSize: LastLeak, poolTimeout: TimeSpan.FromMilliseconds(20));
        await Receiver.StartAsync();
        var options = new MonitorOptions
        {
            Targets = [RunningMonitor.Target(Target, _sandbox.SuperuserTarget) with { PoolEndpoints = [_service.PoolEndpoint] }],
            PollInterval = Poll,
            HistoryPath = HistoryPath,
            AuditLogPath = Path.Combine(Directory, "audit.jsonl"),
            Webhooks = [new WebhookOptions("ops", Receiver.Url, WebhookFormat.Generic, new Dictionary<string, string>())],
        };
        Monitor = await FakeClockMonitor.StartAsync(options, new FakeTimeProvider(T0));
        for (var poll = 1; poll <= LastPoll; poll++)
        {
            var (good, bad) = await TrafficAsync(poll);
            await ProbeGoneAsync();
            await Monitor.StepAsync(Poll);
            Attempts.Add(new SloEntry(At(poll), new SloCounts(good, bad, Poll.TotalSeconds)));
            var status = Monitor.State.Get(Target)!;
            Scraped.Add((Monitor.Time.GetUtcNow(), status.SloAttempts, status.SloFailures));
        }

        // Past the exporter's response cache: the text a scrape gets now.
        await Task.Delay(500);
        Metrics = await Monitor.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
    }

    /// <summary>A counter or gauge of the target in <see cref="Metrics"/>.</summary>
    public double Metric(string name) =>
        double.Parse(Regex.Match(Metrics, $"^{name}\\{{[^}}]*target=\"{Target}\"[^}}]*\\}} ([0-9.eE+-]+)", RegexOptions.Multiline).Groups[1].Value, CultureInfo.InvariantCulture);

    public async Task DisposeAsync()
    {
        if (Monitor is not null)
        {
            await Monitor.DisposeAsync();
        }

        foreach (var connection in _leaked)
        {
            await connection.DisposeAsync();
        }

        if (_service is not null)
        {
            await _service.DisposeAsync();
        }

        await Receiver.DisposeAsync();
        if (_sandbox is not null)
        {
            await _sandbox.DisposeAsync();
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }

    /// <summary>
    /// Waits until the previous poll's fresh probe has left the server. On the fake clock the next poll comes
    /// milliseconds later, not 5 s, and a backend still exiting would be counted as a client. Asked over the
    /// monitor's own lifeline, which no snapshot counts as a client of its own.
    /// </summary>
    private async Task ProbeGoneAsync()
    {
        var lifeline = Monitor.Polling.Pollers[Target].Lifeline;
        for (var i = 0; i < 200; i++)
        {
            var (others, _) = await lifeline.UseAsync(async connection =>
            {
                await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgmedic' AND pid <> pg_backend_pid()", connection);
                return (long)(await command.ExecuteScalarAsync())!;
            }, CancellationToken.None);
            if (others == 0)
            {
                return;
            }

            await Task.Delay(5);
        }
    }

    /// <summary>The service's checkouts before a poll: the leak rising, the pool exhausted, then healed.</summary>
    private async Task<(long Good, long Bad)> TrafficAsync(int poll)
    {
        var guard = _service!.Guard;
        if (poll == LastFailing + 1)
        {
            // Healed: the export gives its connections back (a fixed release); their transactions roll back.
            foreach (var connection in _leaked)
            {
                await connection.DisposeAsync();
            }

            _leaked.Clear();
        }

        if (poll > LastLeak && poll <= LastFailing)
        {
            var results = await Task.WhenAll(Enumerable.Range(0, PerPoll).Select(async _ =>
            {
                try
                {
                    await using var connection = await guard.OpenConnectionAsync();
                    return true;
                }
                catch (PoolTimeoutException)
                {
                    return false;
                }
            }));
            Assert.All(results, Assert.False);
            return (0, PerPoll);
        }

        var checkouts = poll <= LastLeak ? PerPoll - 1 : PerPoll;
        for (var i = 0; i < checkouts; i++)
        {
            await using var connection = await guard.OpenConnectionAsync();
        }

        if (poll <= LastLeak)
        {
            // The invoice export: a transaction opened and never ended, its connection never returned.
            var leaked = await guard.OpenConnectionAsync();
            await using (var begin = new NpgsqlCommand("BEGIN", leaked))
            {
                await begin.ExecuteNonQueryAsync();
            }

            await using (var export = new NpgsqlCommand(LeakQuery, leaked))
            {
                await export.ExecuteScalarAsync();
            }

            _leaked.Add(leaked);
        }

        return (PerPoll, 0);
    }

}
