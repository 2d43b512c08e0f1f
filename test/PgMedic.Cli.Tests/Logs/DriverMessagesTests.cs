using System.Diagnostics;
using System.Text.Json;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Logs;

/// <summary>
/// The runbook's own steps done for real, and <c>pgmedic logs</c> on what they leave behind: an API on
/// Debian's SQLAlchemy 1.4 and psycopg2 logs its failed requests (<c>logger.exception</c>, tracebacks and
/// all) while its session is terminated (step 1) and the database is shut down (step 4), on a sandbox of
/// its own; the server writes its side to its own log.
/// </summary>
public sealed class DriverMessagesTests
{
    private const string Api = """
        import logging, sys, time
        import sqlalchemy as sa
        from sqlalchemy.pool import NullPool
        logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        log = logging.getLogger("api")
        # SQLAlchemy 1.4 refuses the postgres:// scheme that Railway and Heroku hand out: the usual fix.
        url = sys.argv[1].replace("postgres://", "postgresql+psycopg2://", 1)
        engine = sa.create_engine(url)
        conn = engine.connect()
        print(conn.execute(sa.text("select pg_backend_pid()")).scalar(), file=sys.stderr, flush=True)
        sys.stdin.readline()
        try:
            conn.execute(sa.text("select 1"))
        except Exception:
            log.exception("GET /orders failed")
        print("terminated", file=sys.stderr, flush=True)
        sys.stdin.readline()
        health = sa.create_engine(url, poolclass=NullPool)
        for attempt in range(100):
            try:
                health.connect().close()
                time.sleep(0.05)
            except Exception:
                log.exception("GET /health failed")
                break
        """;

    [Fact]
    public async Task Logs_ApiLogAndServerLogOfATerminateAndAShutdown_EachFailedRequestOnceWithItsDrivers()
    {
        var directory = Directory.CreateTempSubdirectory("pgmedic-driver-messages-").FullName;
        var appLog = Path.Combine(directory, "api.log");
        var serverLog = Path.Combine(directory, "server.log");
        try
        {
            await using (var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = false }))
            {
                await RunApiThroughTerminateAndShutdownAsync(sandbox, directory, appLog);
                File.Copy(sandbox.ServerLogPath, serverLog);
            }

            var app = await CliRun.InvokeAsync("logs", appLog, "--format", "json");
            var server = await CliRun.InvokeAsync("logs", serverLog, "--format", "json");
            var both = await CliRun.InvokeAsync("logs", appLog, serverLog);

            var appKinds = Kinds(app);
            Assert.Equal(2, appKinds.Values.Sum(k => k.Count));
            Assert.Equal(1, appKinds["server-shutting-down"].Count);
            // libpq reports the terminated session as "server closed the connection unexpectedly", or with
            // the server's FATAL first when it read it in time: one of the two, once.
            var terminated = appKinds.ContainsKey("connection-lost") ? appKinds["connection-lost"] : appKinds["admin-shutdown"];
            Assert.Equal(1, terminated.Count);
            Assert.All(appKinds.Values, k => Assert.Equal(["psycopg2", "SQLAlchemy"], k.Drivers));
            Assert.Equal(2, app.ExitCode);

            var serverKinds = Kinds(server);
            Assert.Equal(1, serverKinds["admin-shutdown"].Count);
            Assert.Equal(1, serverKinds["server-shutting-down"].Count);
            Assert.All(serverKinds.Values, k => Assert.Empty(k.Drivers));

            Assert.Matches(@"server-shutting-down\s+postgresql via psycopg2, SQLAlchemy\s+2\s", both.Out);
            Assert.Contains("Step 4: Emergency Database Restart", both.Out, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task RunApiThroughTerminateAndShutdownAsync(PostgresSandbox sandbox, string directory, string appLog)
    {
        var script = Path.Combine(directory, "api.py");
        await File.WriteAllTextAsync(script, Api);
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(sandbox.SuperuserTarget.ToUrl());
        info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        using var api = Process.Start(info)!;
        var output = api.StandardOutput.ReadToEndAsync();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            var pid = await api.StandardError.ReadLineAsync(patience.Token);
            await sandbox.ExecuteAsync($"SELECT pg_terminate_backend({int.Parse(pid!, System.Globalization.CultureInfo.InvariantCulture)})");
            await api.StandardInput.WriteLineAsync();
            await api.StandardInput.FlushAsync();
            Assert.Equal("terminated", await api.StandardError.ReadLineAsync(patience.Token));

            // A smart shutdown waits for this session: meanwhile the server refuses new logins.
            await using (await PostgresSandbox.OpenAsync(sandbox.SuperuserTarget))
            {
                await sandbox.BeginSmartShutdownAsync();
                await api.StandardInput.WriteLineAsync();
                await api.StandardInput.FlushAsync();
                await api.WaitForExitAsync(patience.Token);
            }

            await File.WriteAllTextAsync(appLog, await output);
        }
        finally
        {
            if (!api.HasExited)
            {
                api.Kill();
            }
        }
    }

    private static Dictionary<string, (long Count, string[] Drivers)> Kinds(CliRun run)
    {
        using var document = JsonDocument.Parse(run.Out);
        return document.RootElement.GetProperty("kinds").EnumerateArray().ToDictionary(
            k => k.GetProperty("code").GetString()!,
            k => (k.GetProperty("count").GetInt64(), k.GetProperty("drivers").EnumerateArray().Select(d => d.GetString()!).ToArray()));
    }
}
