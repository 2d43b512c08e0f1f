using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Npgsql;
using PgMedic.Core.Alerts;
using PgMedic.Core.Common;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Probing;
using PgMedic.Core.Reporting;
using PgMedic.Monitor;
using PgMedic.Monitor.Configuration;
using PgMedic.Postgres.Collection;
using PgMedic.Postgres.Probing;
using PgMedic.Postgres.Remediation;
using PgMedic.Postgres.Sandbox;
using PgMedic.Postgres.Targets;

namespace PgMedic.Demo;

/// <summary>Runs one demo scenario from sandbox start to report, and stops everything it started.</summary>
public sealed class DemoRunner(IDemoHost host, DemoScenario scenario, bool keep, string reportPath)
{
    private static readonly TimeSpan AlertWait = TimeSpan.FromSeconds(20);
    private readonly Narrator _narrator = new(host.Out, host.Time);
    private readonly List<int> _expectedTerminated = [];

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var started = host.Time.GetUtcNow();
        var work = Directory.CreateTempSubdirectory("pgmedic-demo-").FullName;
        var auditPath = Path.Combine(work, "audit.jsonl");
        _narrator.Say($"PgMedic demo — scenario '{Name(scenario)}'. Starting a sandbox PostgreSQL (max_connections=23, 3 reserved: 20 usable slots)…");
        var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { MaxConnections = 23, SuperuserReservedConnections = 3, CreatePgStatStatements = false }, cancellationToken: cancellationToken);
        var others = new List<NpgsqlConnection>();
        DemoService? service = null;
        DemoWatch? watch = null;
        WebApplication? monitor = null;
        try
        {
            await sandbox.ExecuteAsync("CREATE DATABASE shop", cancellationToken: cancellationToken);
            await sandbox.ExecuteAsync("CREATE TABLE orders (id serial PRIMARY KEY, total int); INSERT INTO orders (total) SELECT g FROM generate_series(1, 100) g", "shop", cancellationToken);
            var app = await sandbox.CreateRoleAsync("app", "app-" + Guid.NewGuid().ToString("N")[..12], database: "shop", cancellationToken: cancellationToken);
            await sandbox.ExecuteAsync("GRANT ALL ON ALL TABLES IN SCHEMA public TO app", "shop", cancellationToken);
            var admin = sandbox.SuperuserTarget.WithDatabase("shop");
            _narrator.Say($"Sandbox PostgreSQL {sandbox.ServerVersion} ready at {admin.Masked} (directory {sandbox.Directory}, postmaster pid {sandbox.PostmasterPid}; demo files in {work})");

            service = new DemoService(app, _narrator, "SELECT count(*) FROM orders");
            service.StartTraffic();
            _narrator.Say($"Service '{DemoService.ApplicationName}' is up: PgMedic.Guard pool of 16, normal traffic from 2 workers. Health: {await service.HealthJsonAsync()}");
            monitor = MonitorHost.Build(
                new MonitorOptions
                {
                    Targets = [new MonitoredTarget("shop", admin, new DiagnosisOptions { IdleInTransactionWarning = TimeSpan.FromSeconds(1), BlockingWarning = TimeSpan.FromSeconds(1) }, new AlertRuleOptions(), [], null)],
                    PollInterval = TimeSpan.FromSeconds(1),
                    Port = 0,
                    HistoryPath = Path.Combine(work, "history.db"),
                    AuditLogPath = auditPath,
                },
                new MonitorHostSettings { Time = host.Time, MinimumLogLevel = LogLevel.Error });
            await monitor.StartAsync(cancellationToken);
            _narrator.Say($"Monitor (pgmedic serve) is watching the sandbox: Database Health Dashboard at {MonitorHost.Address(monitor)}");
            watch = new DemoWatch(admin, _narrator, host.Time);
            watch.Start();
            _narrator.Say("Watching: a lifeline connection takes a snapshot every 300 ms; a fresh connection each time measures connection failures.");
            await Task.Delay(TimeSpan.FromSeconds(1), host.Time, cancellationToken);

            var detected = await InduceAsync(sandbox, app, service, watch, others, cancellationToken);
            if (!detected)
            {
                _narrator.Say("The incident was not detected in time: stopping.");
                return (int)ExitCode.Critical;
            }

            var detectedAt = watch.FirstAlertAt ?? host.Time.GetUtcNow();
            var recovered = scenario == DemoScenario.ServerDown
                ? await RestartServerAsync(sandbox, cancellationToken)
                : await DiagnoseAndHealAsync(admin, service, auditPath, cancellationToken);
            if (scenario == DemoScenario.Leak)
            {
                _narrator.Record("restart", $"Runbook step 1, second half: restart '{DemoService.ApplicationName}' so its pool lets go of the leaked connections (the export job's bug stays off).");
                await service.RestartAsync();
            }

            recovered &= await VerifyAsync(admin, service, watch);
            var recoveredAt = host.Time.GetUtcNow();
            _narrator.Say(string.Create(CultureInfo.InvariantCulture, $"Time from the first alert to verified recovery: {(recoveredAt - detectedAt).TotalSeconds:0.0} s (the runbook budgets 5–15 minutes)."));

            await WriteReportAsync(auditPath, admin, started, cancellationToken);
            _narrator.Say(recovered ? "Demo finished: the incident was detected, diagnosed, healed and verified." : "Demo finished, but the service did not fully recover (see above).");
            if (keep)
            {
                sandbox.Keep();
                _narrator.Say($"--keep: the sandbox and the dashboard ({MonitorHost.Address(monitor)}) stay up. URL (CONTAINS THE PASSWORD): {sandbox.SuperuserTarget.ToUrl()} — try `pgmedic diagnose`, `top`, `activity` on it. Press Ctrl+C to stop them.");
                await WaitForCtrlCAsync(cancellationToken);
            }

            return (int)(recovered ? ExitCode.Ok : ExitCode.Critical);
        }
        finally
        {
            if (watch is not null)
            {
                await watch.DisposeAsync();
            }

            if (monitor is not null)
            {
                await monitor.StopAsync(CancellationToken.None);
                await monitor.DisposeAsync();
            }

            if (service is not null)
            {
                await service.DisposeAsync();
            }

            foreach (var connection in others)
            {
                await DisposeQuietlyAsync(connection);
            }

            if (keep)
            {
                // Kept until Ctrl+C above; now removed like any other sandbox.
                File.Delete(Path.Combine(sandbox.Directory, "keep"));
            }

            await sandbox.DisposeAsync();
            Directory.Delete(work, recursive: true);
            _narrator.Say("Stopped everything the demo started: service, watcher, sandbox (directory removed).");
        }
    }

    private static string Name(DemoScenario value) => value switch
    {
        DemoScenario.IdleInTransaction => "idle-in-transaction",
        DemoScenario.LockChain => "lock-chain",
        DemoScenario.ServerDown => "server-down",
        _ => "leak",
    };

    private async Task<bool> InduceAsync(PostgresSandbox sandbox, ConnectionTarget app, DemoService service, DemoWatch watch, List<NpgsqlConnection> others, CancellationToken cancellationToken)
    {
        switch (scenario)
        {
            case DemoScenario.Leak:
                // One, not more: the pool (16) must run dry before the server (20 usable, of which the monitor's
                // and the watcher's lifelines and fresh probes take ordinary slots too), whatever the machine's speed.
                others.Add(await PostgresSandbox.OpenAsync(app, cancellationToken, "reporting-cron"));
                _narrator.Say("A reporting cron job holds an idle connection. Now the bug: orders-api's invoice export checks out a connection, opens a transaction and never gives it back — one every 150 ms.");
                service.StartLeak(TimeSpan.FromMilliseconds(150));
                var critical = await watch.WaitForAsync("connection-saturation (critical, 90 %)", AlertWait);
                await WaitAsync(() => service.Counts.Failed > 0, TimeSpan.FromSeconds(5));

                // The export job is stuck now (its own checkouts fail). Whether the pool or the server filled
                // first depends on the machine's speed, so the newest leaks may be younger than heal's 1 s:
                // let them all get there, as the other scenarios do, so the incident is the same every run.
                await service.PauseLeakAsync();
                await Task.Delay(TimeSpan.FromSeconds(1.2), host.Time, cancellationToken);
                _expectedTerminated.AddRange(service.LeakedPids());
                return critical;

            case DemoScenario.IdleInTransaction:
                _narrator.Say("A billing worker (not a .NET service) opens transactions and leaves them open: 15 connections idle in a transaction.");
                for (var i = 0; i < 15; i++)
                {
                    // The monitor's and the watcher's own connections take ordinary slots too: on a busy
                    // machine the server may refuse the worker before its 15th; the incident is what got in.
                    NpgsqlConnection connection;
                    try
                    {
                        connection = await PostgresSandbox.OpenAsync(app, cancellationToken, "billing-worker");
                    }
                    catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.TooManyConnections)
                    {
                        break;
                    }

                    await using (var begin = new NpgsqlCommand("BEGIN; SELECT 1", connection))
                    {
                        await begin.ExecuteNonQueryAsync(cancellationToken);
                    }

                    others.Add(connection);
                    _expectedTerminated.Add(connection.ProcessID);
                    await Task.Delay(100, cancellationToken);
                }

                var saturated = await watch.WaitForAsync("connection-saturation (critical, 90 %)", AlertWait);

                // Heal takes transactions idle for at least 1 s: let the newest one get there too.
                await Task.Delay(TimeSpan.FromSeconds(1.2), host.Time, cancellationToken);
                return saturated;

            case DemoScenario.LockChain:
                var migration = await PostgresSandbox.OpenAsync(app, cancellationToken, "schema-migration");
                others.Add(migration);
                await using (var lockTable = new NpgsqlCommand("BEGIN; LOCK TABLE orders IN ACCESS EXCLUSIVE MODE", migration))
                {
                    await lockTable.ExecuteNonQueryAsync(cancellationToken);
                }

                _expectedTerminated.Add(migration.ProcessID);
                _narrator.Say($"A schema migration (pid {migration.ProcessID}) takes an exclusive lock on 'orders' and forgets to commit: every orders-api query queues behind it.");
                service.StartTraffic(workers: 6);
                var blocked = await watch.WaitForAsync("blocking-chain", AlertWait);

                // Heal takes the head of a chain whose waiters waited at least 1 s: let them.
                await Task.Delay(TimeSpan.FromSeconds(1.2), host.Time, cancellationToken);
                return blocked;

            default:
                _narrator.Record("incident", "The database server stops (as a crash or a botched maintenance would).");
                await sandbox.StopServerAsync(cancellationToken);
                return await watch.WaitForAsync("database-connection-failure", AlertWait);
        }
    }

    private async Task<bool> DiagnoseAndHealAsync(ConnectionTarget admin, DemoService service, string auditPath, CancellationToken cancellationToken)
    {
        _narrator.Say("Diagnosing (pgmedic diagnose, joined with orders-api's PgMedic.Guard holders by backend PID)…");
        var (report, _) = await DiagnosisRunner.RunWithSnapshotAsync(admin, TimeSpan.FromSeconds(10), new DiagnosisOptions { IdleInTransactionWarning = TimeSpan.FromSeconds(1), BlockingWarning = TimeSpan.FromSeconds(1) }, null, cancellationToken);
        var findings = HolderJoin.Annotate(report.Findings, [service.Pool()]);
        foreach (var finding in findings.Where(f => f.Severity >= Severity.Warning))
        {
            _narrator.Say($"  {finding.Severity.ToString().ToUpperInvariant()} {finding.Code}: {finding.Summary}");
            _narrator.Say($"      runbook: {finding.RunbookStep} · fix: {host.Describe(finding.Fix)}");
        }

        await using (var audit = AuditLog.Open(auditPath, admin.Masked, admin.Password, "cli", host.Time))
        {
            await audit.FindingsAsync("diagnose", findings, cancellationToken);
        }

        string[] heal = ["heal", admin.ToUrl(), "--iit-for", "1s", "--waiting-for", "1s", "--audit-log", auditPath];
        _narrator.Say("The heal plan, as a dry run (pgmedic heal):");
        await host.RunCommandAsync(heal, cancellationToken);
        _narrator.Say("Executing it (pgmedic heal --yes):");
        var exitCode = await host.RunCommandAsync([.. heal, "--yes"], cancellationToken);

        var (records, _) = await AuditReader.ReadAsync(auditPath, cancellationToken);
        var terminated = records.Where(r => r.Event == "action-finished" && r.Result == "terminated").Select(r => r.Action!.Pid).Order().ToList();
        var exact = terminated.SequenceEqual(_expectedTerminated.Order());
        _narrator.Say($"Terminated PIDs: {string.Join(", ", terminated)}; the incident's sessions were: {string.Join(", ", _expectedTerminated.Order())} — {(exact ? "exactly those, nothing else" : "MISMATCH")}.");
        return exitCode == (int)ExitCode.Ok && exact;
    }

    private async Task<bool> RestartServerAsync(PostgresSandbox sandbox, CancellationToken cancellationToken)
    {
        var probe = await Prober.ProbeAsync(sandbox.SuperuserTarget, TimeSpan.FromSeconds(2), cancellationToken);
        _narrator.Say($"Diagnosis: {Diagnoser.FromFailedProbe(probe).Summary} → runbook step 4 (emergency restart).");
        _narrator.Record("restart", "Runbook step 4: restarting the database server.");
        await sandbox.StartServerAsync(cancellationToken);
        return true;
    }

    private async Task<bool> VerifyAsync(ConnectionTarget admin, DemoService service, DemoWatch watch)
    {
        var probe = await Prober.ProbeAsync(admin, TimeSpan.FromSeconds(5), CancellationToken.None);
        _narrator.Say($"Verify: probe {ProbeOutcomeName.Of(probe.Outcome)} ({probe.ConnectMilliseconds:0.0} ms to connect); service /health: {await service.HealthJsonAsync()}");
        var resolved = await watch.WaitAllResolvedAsync(TimeSpan.FromSeconds(10));
        var before = service.Counts;
        await Task.Delay(TimeSpan.FromSeconds(1.5), host.Time);
        var after = service.Counts;
        var failures = after.Failed - before.Failed;
        var successes = after.Succeeded - before.Succeeded;
        _narrator.Say($"Verify: orders-api traffic in the last 1.5 s: {successes} requests, {failures} failed (failure rate {(successes + failures == 0 ? 0 : failures * 100.0 / (successes + failures)):0} %); alerts still firing: {(watch.Firing.Count == 0 ? "none" : string.Join(", ", watch.Firing))}");
        return probe.Outcome == ProbeOutcome.Accepting && resolved && failures == 0 && successes > 0;
    }

    private async Task WriteReportAsync(string auditPath, ConnectionTarget admin, DateTimeOffset started, CancellationToken cancellationToken)
    {
        var records = File.Exists(auditPath) ? (await AuditReader.ReadAsync(auditPath, cancellationToken)).Records : [];
        var capacity = await CurrentCapacityReader.ReadAsync(admin, cancellationToken);
        var report = IncidentReportBuilder.Build(records, _narrator.Timeline, started, host.Time.GetUtcNow(), capacity);
        await File.WriteAllTextAsync(reportPath, host.RenderReport(report), cancellationToken);
        _narrator.Say($"Incident report written to {reportPath}");
    }

    private static async Task WaitAsync(Func<bool> condition, TimeSpan limit)
    {
        var until = Environment.TickCount64 + (long)limit.TotalMilliseconds;
        while (!condition() && Environment.TickCount64 < until)
        {
            await Task.Delay(100);
        }
    }

    private static async Task WaitForCtrlCAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: clean up below.
        }
    }

    private static async Task DisposeQuietlyAsync(NpgsqlConnection connection)
    {
        try
        {
            await connection.DisposeAsync();
        }
        catch (NpgsqlException)
        {
            // Terminated by the heal: nothing to close.
        }
    }
}
