using Npgsql;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Capacity;

/// <summary><c>pgmedic advise</c> against a real sandbox; every <c>--emit</c> format loaded by its real consumer.</summary>
[Collection(SandboxCollection.Name)]
public sealed class AdviseCommandTests(SandboxFixture fixture)
{
    private PostgresSandbox Sandbox => fixture.Sandbox;

    private string Url => Sandbox.SuperuserTarget.ToUrl();

    [Fact]
    public async Task Advise_RunbookPoolsAgainstSandbox_CanExhaustWithReasoningAndExitOne()
    {
        var run = await CliRun.InvokeAsync(["advise", Url, "--workers", "4", "--pool-size", "20", "--max-overflow", "10", "--cores", "4"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("CAN EXHAUST", run.Out, StringComparison.Ordinal);
        Assert.Contains("4 workers × (pool 20 + overflow 10) = 120 connections > 33 slots left for them", run.Out, StringComparison.Ordinal);
        Assert.Contains("max_connections 40 − superuser_reserved_connections 3 − reserved_connections 0 = 37", run.Out, StringComparison.Ordinal);
        Assert.Contains("idle_in_transaction_session_timeout", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(Sandbox.SuperuserPassword, run.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Advise_JsonFormat_StatusAndNumbersInCamelCase()
    {
        var run = await CliRun.InvokeAsync(["advise", Url, "--workers", "2", "--pool-size", "5", "--max-overflow", "5", "--format", "json"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("\"canExhaust\": false", run.Out, StringComparison.Ordinal);
        Assert.Contains("\"forDeployment\": 33", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Advise_BadNumbers_EveryErrorOnOneLineExitThree()
    {
        var run = await CliRun.InvokeAsync(["advise", Url, "--workers", "0", "--pool-size", "0", "--cores", "0"]);

        Assert.Equal(3, run.ExitCode);
        Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--workers", run.Error, StringComparison.Ordinal);
        Assert.Contains("--cores", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Advise_EmitNpgsql_NpgsqlParsesAndConnectsWithIt()
    {
        var run = await CliRun.InvokeAsync(["advise", Url, "--workers", "4", "--pool-size", "20", "--max-overflow", "10", "--cores", "4", "--emit", "npgsql"]);

        var builder = new NpgsqlConnectionStringBuilder(run.Out.Trim()) { Password = Sandbox.SuperuserPassword };
        Assert.Equal(0, run.ExitCode);
        Assert.Equal((3, 10, 300), (builder.MaxPoolSize, builder.Timeout, builder.ConnectionLifetime));
        Assert.Equal(Sandbox.Port, builder.Port);
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        Assert.DoesNotContain(Sandbox.SuperuserPassword, run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Advise_EmitSqlAlchemy_DebianSqlAlchemyConnectsWithThePlatformsPostgresUrl()
    {
        var run = await CliRun.InvokeAsync(["advise", Url, "--workers", "4", "--pool-size", "20", "--max-overflow", "10", "--cores", "4", "--application", "shop-api", "--emit", "sqlalchemy"]);

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("postgres://", Url, StringComparison.Ordinal);
        var (exit, output) = await RunEmittedPythonAsync(run.Out, new Dictionary<string, string>());

        Assert.True(exit == 0, output);
        Assert.Contains("pool 2 1 10.0 300 pre-ping True echo False", output, StringComparison.Ordinal);
        Assert.Contains("select 1 application_name shop-api instrumented 2", output, StringComparison.Ordinal);

        // The URL given is the one SQLAlchemy 1.4 itself refuses: the emitted engine turned it into the dialect's.
        Assert.Contains("plain create_engine NoSuchModuleError", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Advise_EmitSqlAlchemy_RunbookVariablesWinOverTheComputedValues()
    {
        var run = await CliRun.InvokeAsync(["advise", Url, "--workers", "4", "--pool-size", "20", "--max-overflow", "10", "--cores", "4", "--application", "shop-api", "--emit", "sqlalchemy"]);

        var (exit, output) = await RunEmittedPythonAsync(run.Out, new Dictionary<string, string>
        {
            ["DATABASE_POOL_SIZE"] = "7",
            ["DATABASE_MAX_OVERFLOW"] = "0",
            ["DATABASE_POOL_TIMEOUT"] = "2s",
            ["DATABASE_ECHO_POOL"] = "true",
        });

        Assert.True(exit == 0, output);
        Assert.Contains("pool 7 0 2.0 300 pre-ping True echo True", output, StringComparison.Ordinal);
        Assert.Contains("instrumented 7", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Runs the emitted Python with Debian's interpreter and SQLAlchemy, pgmedic_sqlalchemy from clients/python,
    /// and the sandbox's own postgres:// URL as DATABASE_URL; it prints the pool it built and what the server saw.
    /// </summary>
    private async Task<(int Exit, string Output)> RunEmittedPythonAsync(string emitted, Dictionary<string, string> variables)
    {
        var script = Path.Combine(Path.GetTempPath(), $"pgmedic-advise-{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(script, emitted + """

            import sqlalchemy
            from sqlalchemy import text
            with engine.connect() as c:
                p = engine.pool
                print("pool", p.size(), p._max_overflow, p._timeout, p._recycle, "pre-ping", p._pre_ping, "echo", bool(p.echo))
                print("select", c.execute(text("SELECT 1")).scalar(),
                      "application_name", c.execute(text("SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()")).scalar(),
                      "instrumented", pool.statistics()["poolSize"])
            try:
                sqlalchemy.create_engine(os.environ["DATABASE_URL"])
                print("plain create_engine accepted the URL")
            except Exception as e:
                print("plain create_engine", type(e).__name__)
            """);
        try
        {
            var environment = new Dictionary<string, string>(variables)
            {
                ["DATABASE_URL"] = Url,
                ["PYTHONPATH"] = Path.Combine(BuildOutput.RepositoryRoot(), "clients", "python", "src"),
                ["PYTHONDONTWRITEBYTECODE"] = "1",
            };
            // Only the variables given count: none of the runbook's or libpq's from the machine running the test.
            return await ExternalProgram.RunAsync("/usr/bin/python3", [script], environment, k => k.StartsWith("DATABASE_", StringComparison.Ordinal) || k.StartsWith("PG", StringComparison.Ordinal) || k == "MAINTENANCE_MODE");
        }
        finally
        {
            File.Delete(script);
        }
    }

    [Fact]
    public async Task Advise_EmitHikari_JavaPropertiesReadEveryKey()
    {
        var run = await CliRun.InvokeAsync(["advise", Url, "--workers", "4", "--pool-size", "20", "--max-overflow", "10", "--cores", "4", "--emit", "hikari"]);
        var directory = Directory.CreateTempSubdirectory("pgmedic-hikari-");
        try
        {
            var properties = Path.Combine(directory.FullName, "hikari.properties");
            await File.WriteAllTextAsync(properties, run.Out);
            var check = Path.Combine(directory.FullName, "Check.java");
            await File.WriteAllTextAsync(check, "public class Check { public static void main(String[] a) throws Exception { var p = new java.util.Properties(); try (var r = new java.io.FileReader(a[0])) { p.load(r); } System.out.println(p.getProperty(\"jdbcUrl\") + \" \" + p.getProperty(\"maximumPoolSize\") + \" \" + p.getProperty(\"minimumIdle\") + \" \" + p.getProperty(\"connectionTimeout\") + \" \" + p.getProperty(\"dataSource.options\")); } }");

            var (exit, output) = await ExternalProgram.RunAsync("java", [check, properties], new Dictionary<string, string>());

            Assert.True(exit == 0, output);
            Assert.Contains($"jdbc:postgresql://127.0.0.1:{Sandbox.Port}/postgres 3 2 10000 -c statement_timeout=30000", output, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Advise_EmitPgBouncer_RealPgBouncerStartsWithTheSection()
    {
        var run = await CliRun.InvokeAsync(["advise", Url, "--workers", "4", "--pool-size", "20", "--max-overflow", "10", "--cores", "4", "--emit", "pgbouncer"]);

        await using var bouncer = await PgBouncerProcess.StartAsync(Sandbox, ["* = host=127.0.0.1 port={port}"], new Dictionary<string, string>(), run.Out);
        var config = await PgMedic.Postgres.PgBouncer.PgBouncerCollector.CollectAsync(bouncer.AdminTarget, TimeProvider.System, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.StartsWith("[pgbouncer]\n", run.Out, StringComparison.Ordinal);
        Assert.Equal(("transaction", 8, 33), (config.PoolMode, config.DefaultPoolSize, config.MaxDbConnections));
        Assert.Equal("30", config.Setting("query_wait_timeout"));
    }
}
