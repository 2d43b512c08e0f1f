using System.Text;

namespace PgMedic.Cli.Tests.Logs;

public sealed class LogsCommandTests
{
    private const string Piped = """
        2026-11-27T14:33:29.123Z pod/api-7d9 Npgsql.NpgsqlException (0x80004005): The connection pool has been exhausted, either raise 'Max Pool Size' (currently 20) or 'Timeout' (currently 15 seconds) in your connection string.
        2026-11-27T14:33:31.500Z pod/api-7d9 retrying with Host=db;Username=app;Password=hunter2
        2026-11-27T14:33:31.501Z pod/api-7d9 Npgsql.NpgsqlException (0x80004005): The connection pool has been exhausted, either raise 'Max Pool Size' (currently 20) or 'Timeout' (currently 15 seconds) in your connection string.
        """;

    [Fact]
    public async Task Logs_PipedOnStdin_CountsKindsWithRunbookStepAndExitsCritical()
    {
        var run = await InvokeWithStdinAsync(Piped, "logs");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("npgsql-pool-exhausted", run.Out, StringComparison.Ordinal);
        Assert.Contains("Step 2: Increase Connection Limits", run.Out, StringComparison.Ordinal);
        Assert.Contains("2026-11-27 14:33 ", run.Out, StringComparison.Ordinal);
        Assert.Contains("3 lines", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_FileWithPassword_MarkdownSampleMasked()
    {
        var file = Path.Combine(Path.GetTempPath(), $"pgmedic-logs-{Guid.NewGuid():N}.log");
        await File.WriteAllTextAsync(file, "2026-11-27 14:33:29 UTC psql: error: connection to server at \"db\" (10.0.0.5), port 5432 failed: Connection refused (url postgres://app:hunter2@db/shop)\n");
        try
        {
            var run = await CliRun.InvokeAsync("logs", file, "--format", "markdown");

            Assert.Equal(2, run.ExitCode);
            Assert.Contains("| `connection-refused` | application via psql | 1 |", run.Out, StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2", run.Out, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Logs_MissingFiles_OneLineNamingEveryOneExitThree()
    {
        var run = await CliRun.InvokeAsync("logs", "/nonexistent/a.log", "/nonexistent/b.log");

        Assert.Equal(3, run.ExitCode);
        Assert.Equal("pgmedic: no such file: /nonexistent/a.log, /nonexistent/b.log", run.Error.Trim());
    }

    private static async Task<CliRun> InvokeWithStdinAsync(string input, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var context = new CliContext(output, error, _ => null, null, IsTerminal: false, TimeProvider.System)
        {
            OpenInput = () => new MemoryStream(Encoding.UTF8.GetBytes(input)),
        };
        var code = await CliApp.RunAsync(args, context);
        return new CliRun(code, output.ToString(), error.ToString());
    }
}
