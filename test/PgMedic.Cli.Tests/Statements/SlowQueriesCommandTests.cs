using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Statements;

/// <summary>
/// <c>pgmedic slow-queries</c> on statements really run. Tests of one collection run one at a time, so
/// resetting pg_stat_statements at the start of a test leaves only what that test ran (and PgMedic's own reads).
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class SlowQueriesCommandTests(SandboxFixture fixture)
{
    private PostgresSandbox Sandbox => fixture.Sandbox;

    private string Url => Sandbox.SuperuserTarget.ToUrl();

    [Fact]
    public async Task SlowQueries_SleepsRunThreeTimes_ListedFirstByMeanWithCalls()
    {
        await Sandbox.ExecuteAsync("SELECT pg_stat_statements_reset()");
        await RunAsync("SELECT pg_sleep(0.2)", 3);
        await RunAsync("SELECT count(*) FROM pg_class", 5);

        var run = await CliRun.InvokeAsync("slow-queries", Url, "--format", "json");

        Assert.True(run.ExitCode == 0, run.All);
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.Equal("ok", root.GetProperty("status").GetString());
        Assert.Equal("mean", root.GetProperty("order").GetString());
        Assert.Equal("mean_exec_time", root.GetProperty("meanColumn").GetString());
        Assert.Equal("total_exec_time", root.GetProperty("totalColumn").GetString());
        Assert.Equal("postgres", root.GetProperty("database").GetString());
        var first = root.GetProperty("statements")[0];
        Assert.Equal("SELECT pg_sleep($1)", first.GetProperty("query").GetString());
        Assert.Equal(3, first.GetProperty("calls").GetInt64());
        Assert.InRange(first.GetProperty("meanMilliseconds").GetDouble(), 195, 2000);
        Assert.InRange(first.GetProperty("totalMilliseconds").GetDouble(), 590, 6000);
        Assert.InRange(first.GetProperty("sharePercent").GetDouble(), 50, 100);
        Assert.Equal(3, first.GetProperty("rows").GetInt64());
    }

    [Fact]
    public async Task SlowQueries_Table_SleepFirstWithCallsMeanAndShare()
    {
        await Sandbox.ExecuteAsync("SELECT pg_stat_statements_reset()");
        await RunAsync("SELECT pg_sleep(0.2)", 2);

        var run = await CliRun.InvokeAsync("slow-queries", Url, "--limit", "3");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("by mean time in database postgres · pg_stat_statements 1.10 (mean_exec_time, total_exec_time)", run.Out, StringComparison.Ordinal);
        var firstRow = run.Out.Split('\n').First(l => l.TrimStart().StartsWith("1 ", StringComparison.Ordinal));
        Assert.Contains("SELECT pg_sleep($1)", firstRow, StringComparison.Ordinal);
        Assert.Matches(@"^\s*1\s+2\d\d\.\d\d\s+2\s+", firstRow);
    }

    [Fact]
    public async Task SlowQueries_OrderCalls_MostCalledFirst()
    {
        await Sandbox.ExecuteAsync("SELECT pg_stat_statements_reset()");
        await RunAsync("SELECT pg_sleep(0.2)", 1);
        await RunAsync("SELECT 1 AS called_often", 30);

        var run = await CliRun.InvokeAsync("slow-queries", Url, "--order", "calls", "--limit", "5", "--format", "json");

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Out);
        var statements = json.RootElement.GetProperty("statements").EnumerateArray().ToList();
        Assert.Equal("SELECT $1 AS called_often", statements[0].GetProperty("query").GetString());
        Assert.Equal(30, statements[0].GetProperty("calls").GetInt64());
        var calls = statements.Select(s => s.GetProperty("calls").GetInt64()).ToList();
        Assert.Equal(calls.OrderDescending(), calls);
        Assert.True(statements.Count <= 5);
    }

    [Fact]
    public async Task SlowQueries_AfterPgMedicsOwnDiagnose_ListsTheApplicationsStatementsAndSaysHowManyWereHidden()
    {
        await Sandbox.ExecuteAsync("SELECT pg_stat_statements_reset()");
        using (var diagnose = PgMedicProcess.Start("diagnose", Url, "--format", "json"))
        {
            await diagnose.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        await RunAsync("SELECT pg_sleep(0.05)", 2);

        // An application's own Npgsql loads the server's types on its first connection (PgMedic's does not).
        await using (await PostgresSandbox.OpenAsync(Sandbox.SuperuserTarget, applicationName: $"fresh-app-{Guid.NewGuid():N}"))
        {
        }

        var json = await CliRun.InvokeAsync("slow-queries", Url, "--limit", "50", "--format", "json");
        var table = await CliRun.InvokeAsync("slow-queries", Url, "--limit", "50");
        var all = await CliRun.InvokeAsync("slow-queries", Url, "--limit", "50", "--all", "--format", "json");

        Assert.True(json.ExitCode == 0, json.All);
        using var shown = JsonDocument.Parse(json.Out);
        var statements = shown.RootElement.GetProperty("statements").EnumerateArray().ToList();
        Assert.Contains(statements, s => s.GetProperty("query").GetString() == "SELECT pg_sleep($1)");
        Assert.All(statements, s => Assert.Equal("application", s.GetProperty("source").GetString()));
        Assert.DoesNotContain(statements, s => IsInternal(s.GetProperty("query").GetString()!));
        var hidden = shown.RootElement.GetProperty("hidden").GetInt32();
        Assert.True(hidden >= 6, $"hidden {hidden}: the collector's five statements and the application's type loading at least");
        Assert.False(shown.RootElement.GetProperty("includesInternal").GetBoolean());
        // The first slow-queries run adds its own statements, hidden from the second.
        var hiddenInTable = Assert.Single(Regex.Matches(table.Out, @"(?m)^(\d+) statements by PgMedic and drivers hidden; --all shows them\s*$"));
        Assert.True(int.Parse(hiddenInTable.Groups[1].Value, CultureInfo.InvariantCulture) > hidden, table.Out);
        Assert.Contains("SELECT pg_sleep($1)", table.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("statement_timeout", table.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("nspname", table.Out, StringComparison.Ordinal);

        using var everything = JsonDocument.Parse(all.Out);
        var listed = everything.RootElement.GetProperty("statements").EnumerateArray()
            .Select(s => (Query: s.GetProperty("query").GetString()!, Source: s.GetProperty("source").GetString()))
            .ToList();
        Assert.Equal(0, everything.RootElement.GetProperty("hidden").GetInt32());
        Assert.Contains(listed, s => s.Source == "pgmedic" && s.Query.Contains("FROM pg_stat_get_activity", StringComparison.Ordinal));
        Assert.Contains(listed, s => s.Source == "pgmedic" && s.Query.Contains("SET statement_timeout", StringComparison.Ordinal));
        Assert.Contains(listed, s => s.Source == "driver" && s.Query.StartsWith("SELECT ns.nspname, t.oid, t.typname", StringComparison.Ordinal));
        Assert.Contains(listed, s => s.Source == "application" && s.Query == "SELECT pg_sleep($1)");
    }

    [Fact]
    public async Task SlowQueries_Extension1_7OnNewServer_ReadsMeanTimeAndTotalTime()
    {
        // A PostgreSQL 13+ server still running extension 1.7: the case where pgcenter #98 failed with
        // "column total_exec_time does not exist".
        await Sandbox.ExecuteAsync("CREATE DATABASE pgss_old");
        await Sandbox.ExecuteAsync("CREATE EXTENSION pg_stat_statements VERSION '1.7'", database: "pgss_old");
        var target = Sandbox.TargetFor("postgres", Sandbox.SuperuserPassword, "pgss_old");
        await using (var connection = await PostgresSandbox.OpenAsync(target, applicationName: "slow-queries-test"))
        {
            for (var i = 0; i < 2; i++)
            {
                await using var command = new NpgsqlCommand("SELECT pg_sleep(0.2)", connection);
                await command.ExecuteNonQueryAsync();
            }
        }

        var run = await CliRun.InvokeAsync("slow-queries", target.ToUrl(), "--format", "json");

        Assert.True(run.ExitCode == 0, run.All);
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.Equal("1.7", root.GetProperty("extensionVersion").GetString());
        Assert.Equal("mean_time", root.GetProperty("meanColumn").GetString());
        Assert.Equal("total_time", root.GetProperty("totalColumn").GetString());
        var first = root.GetProperty("statements")[0];
        Assert.Equal("SELECT pg_sleep($1)", first.GetProperty("query").GetString());
        Assert.Equal(2, first.GetProperty("calls").GetInt64());
        Assert.InRange(first.GetProperty("meanMilliseconds").GetDouble(), 195, 2000);
    }

    [Fact]
    public async Task SlowQueries_ExtensionMissingInDatabase_ExitThreeWithBothEnablingSteps()
    {
        await Sandbox.ExecuteAsync("CREATE DATABASE pgss_missing");
        var target = Sandbox.TargetFor("postgres", Sandbox.SuperuserPassword, "pgss_missing");

        var table = await CliRun.InvokeAsync("slow-queries", target.ToUrl());
        var json = await CliRun.InvokeAsync("slow-queries", target.ToUrl(), "--format", "json");

        Assert.Equal(3, table.ExitCode);
        Assert.Contains("pg_stat_statements is not installed in database \"pgss_missing\"", table.Out, StringComparison.Ordinal);
        Assert.Contains("To enable pg_stat_statements:", table.Out, StringComparison.Ordinal);
        Assert.Contains("1. done: shared_preload_libraries lists pg_stat_statements", table.Out, StringComparison.Ordinal);
        Assert.Contains("2. in database \"pgss_missing\", as a superuser or the database owner: CREATE EXTENSION pg_stat_statements;", table.Out, StringComparison.Ordinal);
        Assert.Equal(3, json.ExitCode);
        using var document = JsonDocument.Parse(json.Out);
        Assert.Equal("extension-missing", document.RootElement.GetProperty("status").GetString());
        Assert.Equal(2, document.RootElement.GetProperty("enableSteps").GetArrayLength());
        Assert.Equal(0, document.RootElement.GetProperty("statements").GetArrayLength());
    }

    [Fact]
    public async Task SlowQueries_ExtensionCreatedButNotPreloaded_ExitThreeSaysPreloadAndRestart()
    {
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions
        {
            MaxConnections = 10,
            Settings = new Dictionary<string, string> { ["shared_preload_libraries"] = string.Empty },
        });

        var run = await CliRun.InvokeAsync("slow-queries", sandbox.SuperuserTarget.ToUrl(), "--format", "markdown");

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("pg_stat_statements must be loaded via shared_preload_libraries", run.Out, StringComparison.Ordinal);
        Assert.Contains("1. as a superuser: ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'; then restart PostgreSQL", run.Out, StringComparison.Ordinal);
        Assert.Contains("2. done: the extension exists in database \"postgres\"", run.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--order", "slowest", "--order 'slowest' is not one of mean, total, calls")]
    [InlineData("--limit", "0", "--limit '0' is not a whole number from 1 to 1000")]
    [InlineData("--limit", "ten", "--limit 'ten' is not a whole number from 1 to 1000")]
    public async Task SlowQueries_BadOption_ExitThreeOneLineNoStackTrace(string option, string value, string expected)
    {
        var run = await CliRun.InvokeAsync("slow-queries", Url, option, value);

        Assert.Equal(3, run.ExitCode);
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", run.All, StringComparison.Ordinal);
    }

    private static bool IsInternal(string query) =>
        query.StartsWith(PgMedic.Core.Statements.StatementSources.Marker, StringComparison.Ordinal)
        || query.Contains("statement_timeout", StringComparison.Ordinal)
        || query.Contains("t.typname", StringComparison.Ordinal)
        || query.Contains("pg_enum", StringComparison.Ordinal)
        || query == "SELECT version()";

    private async Task RunAsync(string sql, int times)
    {
        await using var connection = await PostgresSandbox.OpenAsync(Sandbox.SuperuserTarget, applicationName: "slow-queries-test");
        for (var i = 0; i < times; i++)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
