using System.Diagnostics;
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
    public async Task Advise_EmitSqlAlchemy_DebianSqlAlchemyBuildsTheEngineAndConnects()
    {
        var run = await CliRun.InvokeAsync(["advise", Url, "--workers", "4", "--pool-size", "20", "--max-overflow", "10", "--cores", "4", "--emit", "sqlalchemy"]);
        var script = Path.Combine(Path.GetTempPath(), $"pgmedic-advise-{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(script, run.Out + "\nfrom sqlalchemy import text\nwith engine.connect() as c:\n    print('pool', engine.pool.size(), engine.pool._max_overflow, engine.pool._timeout, engine.pool._recycle, c.execute(text('SELECT 1')).scalar())\n");
        try
        {
            var (exit, output) = await RunAsync("/usr/bin/python3", [script], new Dictionary<string, string> { ["DATABASE_URL"] = Url.Replace("postgres://", "postgresql://", StringComparison.Ordinal) });

            Assert.True(exit == 0, output);
            Assert.Contains("pool 2 1 10 300 1", output, StringComparison.Ordinal);
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

            var (exit, output) = await RunAsync("java", [check, properties], new Dictionary<string, string>());

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

    private static async Task<(int Exit, string Output)> RunAsync(string file, string[] args, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output + await error);
    }
}
