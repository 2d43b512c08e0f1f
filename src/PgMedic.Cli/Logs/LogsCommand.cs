using System.CommandLine;
using System.Text;
using PgMedic.Cli.Common;
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
        var command = new Command("logs", "Counts connection trouble in logs — too many clients, reserved slots, idle-in-transaction timeouts, dropped clients, failed logins, pool exhaustion in Npgsql/SQLAlchemy/HikariCP, refused and timed-out connects, PgBouncer limits — with first and last time, a per-minute histogram, the runbook step and sample lines (passwords masked). Exit 0 nothing found, 1 warnings, 2 critical kinds, 3 bad input.")
        {
            files,
            format,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var paths = parseResult.GetValue(files) ?? [];
            var missing = paths.Where(p => p != "-" && !File.Exists(p)).ToList();
            if (missing.Count > 0)
            {
                throw new UsageException($"no such file: {string.Join(", ", missing)}");
            }

            var analyzer = new LogAnalyzer(context.Time);
            if (paths.Length == 0)
            {
                paths = ["-"];
            }

            foreach (var path in paths)
            {
                await using var stream = path == "-" ? context.OpenInput() : OpenFile(path);
                using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, BufferSize);
                await analyzer.AddAsync(reader, path == "-" ? "stdin" : path, cancellationToken);
            }

            var report = analyzer.Report();
            LogsRenderer.Render(report, parseResult.GetValue(format), context);
            return report.ExitCode;
        });
        return command;
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
