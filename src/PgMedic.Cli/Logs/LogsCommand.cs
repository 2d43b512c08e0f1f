using System.CommandLine;
using System.Text;
using PgMedic.Cli.Common;
using PgMedic.Cli.Output;
using PgMedic.Core.Logs;

namespace PgMedic.Cli.Logs;

/// <summary><c>pgmedic logs</c>: connection trouble in server, application and PgBouncer logs, streamed.</summary>
internal static class LogsCommand
{
    private const int BufferSize = 1 << 16;

    public static Command Create(CliContext context)
    {
        var files = CommonOptions.RefusingOptions(new Argument<string[]>("file")
        {
            Description = "Log files (PostgreSQL stderr, csvlog or jsonlog; application or PgBouncer logs); '-' or none reads standard input, e.g. 'kubectl logs … | pgmedic logs'",
            Arity = ArgumentArity.ZeroOrMore,
        });
        var format = CommonOptions.Format();
        var follow = new Option<bool>("--follow")
        {
            Description = "Show a live summary while lines arrive (counts per kind, the last minute's rate, the newest line): standard input until it ends, or one file as it grows, like tail -f. Ctrl+C or the end of the input prints the report",
        };
        var command = new Command("logs", "Counts connection trouble in logs — too many clients, reserved slots, idle-in-transaction timeouts, dropped clients, failed logins, terminated sessions, lost connections, a server starting up or shutting down, pool exhaustion in Npgsql/SQLAlchemy/HikariCP, refused and timed-out connects, PgBouncer limits — with first and last time, a per-minute histogram, the runbook step, the drivers named and sample lines (passwords masked). Exit 0 nothing found, 1 warnings, 2 critical kinds, 3 bad input.")
        {
            files,
            format,
            follow,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var paths = parseResult.GetValue(files) ?? [];
            var following = parseResult.GetValue(follow);
            var missing = paths.Where(p => p != "-" && !File.Exists(p)).ToList();
            if (missing.Count > 0)
            {
                throw new UsageException($"no such file: {string.Join(", ", missing)}");
            }

            if (following && paths.Length > 1)
            {
                throw new UsageException($"--follow reads one input, not {paths.Length}: give one file, or none for standard input");
            }

            if (paths.Length == 0)
            {
                paths = ["-"];
            }

            var outputFormat = parseResult.GetValue(format);
            var analyzer = new LogAnalyzer(context.Time);
            var inputs = paths.Select(path => Open(path, following, context)).ToList();
            using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var reading = Task.Run(() => ReadAsync(analyzer, inputs, stopReading.Token), CancellationToken.None);
            if (following)
            {
                await LogsFollow.ShowAsync(analyzer, reading, LiveOutput(outputFormat, context), context.Time, cancellationToken);
            }
            else
            {
                await LogsFollow.UntilDoneAsync(reading, cancellationToken);
            }

            // Ctrl+C: a read of standard input may block until the next line, which may never come; the
            // report is of what was read, and the process ends with the read still waiting.
            await stopReading.CancelAsync();
            if (reading.IsFaulted)
            {
                await reading;
            }

            var report = analyzer.Report();
            LogsRenderer.Render(report, outputFormat, context);
            return report.ExitCode;
        });
        return command;
    }

    private static async Task ReadAsync(LogAnalyzer analyzer, IReadOnlyList<(TextReader Reader, string Source)> inputs, CancellationToken cancellationToken)
    {
        foreach (var (reader, source) in inputs)
        {
            using (reader)
            {
                await analyzer.AddAsync(reader, source, cancellationToken);
            }
        }
    }

    // The live view goes beside the report: on standard output for the table, on standard error when the
    // report is JSON or markdown, so that '| jq' still reads one document.
    private static ILogsLiveOutput LiveOutput(Output.OutputFormat format, CliContext context)
    {
        var (writer, terminal) = format == Output.OutputFormat.Table ? (context.Out, context.IsTerminal) : (context.Error, context.ErrorIsTerminal);
        return terminal
            ? new TerminalLiveOutput(writer, () => (context.Width ?? ConsoleSize().Width, context.Height ?? ConsoleSize().Height))
            : new PipedLiveOutput(writer, context.Time);
    }

    private static (int Width, int Height) ConsoleSize()
    {
        try
        {
            return (Math.Max(Console.WindowWidth, Terminal.NarrowestWidth), Math.Max(Console.WindowHeight, 3));
        }
        catch (IOException)
        {
            return (80, 24);
        }
    }

    private static (TextReader Reader, string Source) Open(string path, bool following, CliContext context)
    {
        if (path == "-")
        {
            return (new StreamReader(context.OpenInput(), Encoding.UTF8, detectEncodingFromByteOrderMarks: true, BufferSize), "stdin");
        }

        var stream = OpenFile(path);
        return following
            ? (new GrowingFileReader(stream, context.Time), path)
            : (new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, BufferSize), path);
    }

    private static FileStream OpenFile(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, BufferSize, FileOptions.SequentialScan | FileOptions.Asynchronous);
        }
        catch (UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read {path}: permission denied");
        }
        catch (IOException e)
        {
            throw new UsageException($"cannot read {path}: {e.Message}");
        }
    }
}
