using System.Text.RegularExpressions;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Logs;

/// <summary>
/// <c>pgmedic logs</c> reading a pipe another process writes into over time (the real binary, a real FIFO, a
/// Python writer with pauses), as in <c>railway logs | pgmedic logs --follow</c>.
/// </summary>
public sealed partial class LogsFollowTests
{
    private const string TooManyClients = "2026-11-27 14:33:{0:00}.123 UTC [81{0}] FATAL:  sorry, too many clients already";
    private const string Terminated = "2026-11-27 14:33:{0:00}.123 UTC [82{0}] FATAL:  terminating connection due to administrator command";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task LogsFollow_PipeStillOpen_SummaryCountsBeforeTheInputEndsThenTheReport()
    {
        using var writer = LogWriter.Start(Lines(Terminated, 0, 3), TimeSpan.FromMilliseconds(400), closing: Lines(Terminated, 10, 2));
        using var pgmedic = PgMedicProcess.StartReading(writer.Fifo, "logs", "--follow");

        var live = await pgmedic.WaitForOutputAsync("admin-shutdown 3 (3 in the last minute)", Patience);
        var writerWasRunning = !writer.HasExited;
        writer.Release();
        var exitCode = await pgmedic.WaitForExitAsync(Patience);

        Assert.True(writerWasRunning, "the summary must show the count while the writer still holds the pipe open");
        Assert.Matches(SummaryLine(), live);
        Assert.Contains("newest admin-shutdown: 2026-11-27 14:33:02.123 UTC [822] FATAL:  terminating connection due to administrator command", live, StringComparison.Ordinal);
        Assert.Equal(1, exitCode);
        Assert.Contains("WARNING 5 lines (0 MB) from stdin", pgmedic.Output, StringComparison.Ordinal);
        Assert.Matches(@"admin-shutdown\s+postgresql\s+5\s+2026-11-27 14:33:00", pgmedic.Output);
        Assert.DoesNotContain('\u001b', pgmedic.Output);
    }

    [Fact]
    public async Task LogsFollow_CtrlCWhileThePipeIsOpen_PrintsTheReportAndItsExitCode()
    {
        using var writer = LogWriter.Start(Lines(TooManyClients, 0, 2), TimeSpan.FromMilliseconds(100));
        using var pgmedic = PgMedicProcess.StartReading(writer.Fifo, "logs", "--follow", "--format", "json");

        await pgmedic.WaitForOutputAsync("too-many-clients 2 (2 in the last minute)", Patience);
        pgmedic.Interrupt();
        var exitCode = await pgmedic.WaitForExitAsync(Patience);

        Assert.False(writer.HasExited);
        Assert.Equal(2, exitCode);
        Assert.Contains("\"status\": \"critical\"", pgmedic.Output, StringComparison.Ordinal);
        Assert.Contains("\"code\": \"too-many-clients\"", pgmedic.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("cancelled", pgmedic.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_CtrlCWithoutFollow_ReportsTheLinesReadSoFar()
    {
        using var writer = LogWriter.Start(Lines(TooManyClients, 0, 2), TimeSpan.Zero);
        using var pgmedic = PgMedicProcess.StartReading(writer.Fifo, "logs");

        // Without --follow nothing is printed before the end: wait until pgmedic has taken the lines out of the pipe.
        await writer.WaitUntilReadAsync(Patience);
        await Task.Delay(500);
        pgmedic.Interrupt();
        var exitCode = await pgmedic.WaitForExitAsync(Patience);

        Assert.Equal(2, exitCode);
        Assert.Contains("CRITICAL 2 lines (0 MB) from stdin", pgmedic.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("cancelled", pgmedic.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LogsFollow_FileAppendedTo_CountsEachCompleteLineAsItIsWrittenLikeTailF()
    {
        var file = Path.Combine(Path.GetTempPath(), $"pgmedic-follow-{Guid.NewGuid():N}.log");
        await File.WriteAllTextAsync(file, string.Format(System.Globalization.CultureInfo.InvariantCulture, TooManyClients, 0) + "\n");
        try
        {
            using var pgmedic = PgMedicProcess.Start("logs", "--follow", file);
            await pgmedic.WaitForOutputAsync("too-many-clients 1 (1 in the last minute)", Patience);
            // Half a line waits for its end (handed on early, neither half would match, and the report would say 3 lines).
            await File.AppendAllTextAsync(file, "2026-11-27 14:33:01.123 UTC [811] FATAL:  sorry, too many ");
            await Task.Delay(700);
            await File.AppendAllTextAsync(file, "clients already\n");
            await pgmedic.WaitForOutputAsync("too-many-clients 2 (2 in the last minute)", Patience);
            pgmedic.Interrupt();
            var exitCode = await pgmedic.WaitForExitAsync(Patience);

            Assert.Equal(2, exitCode);
            Assert.Contains($"CRITICAL 2 lines (0 MB) from {file}", pgmedic.Output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task LogsFollow_TwoFiles_OneLineSayingFollowReadsOneInputExitThree()
    {
        var first = Path.GetTempFileName();
        var second = Path.GetTempFileName();
        try
        {
            var run = await CliRun.InvokeAsync("logs", "--follow", first, second);

            Assert.Equal(3, run.ExitCode);
            Assert.Equal("pgmedic: --follow reads one input, not 2: give one file, or none for standard input", run.Error.Trim());
        }
        finally
        {
            File.Delete(first);
            File.Delete(second);
        }
    }

    private static string[] Lines(string format, int first, int count) =>
        Enumerable.Range(first, count).Select(i => string.Format(System.Globalization.CultureInfo.InvariantCulture, format, i)).ToArray();

    // "14:33:02 UTC  3 lines from stdin, 3 with connection trouble, 0:01: admin-shutdown 3 (3 in the last minute)"
    [GeneratedRegex(@"\d\d:\d\d:\d\d UTC  \d+ lines from stdin, 3 with connection trouble, \d+:\d\d: admin-shutdown 3 \(3 in the last minute\)")]
    private static partial Regex SummaryLine();
}
