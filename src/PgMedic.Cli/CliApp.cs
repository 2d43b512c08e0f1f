using System.CommandLine;
using PgMedic.Cli.Activity;
using PgMedic.Cli.AppPools;
using PgMedic.Cli.Capacity;
using PgMedic.Cli.Checks;
using PgMedic.Cli.Common;
using PgMedic.Cli.Demo;
using PgMedic.Cli.Diagnosis;
using PgMedic.Cli.Export;
using PgMedic.Cli.Logs;
using PgMedic.Cli.Probing;
using PgMedic.Cli.Remediation;
using PgMedic.Cli.Sandbox;
using PgMedic.Cli.Serve;
using PgMedic.Cli.Statements;
using PgMedic.Cli.Top;
using PgMedic.Core.Common;
using PgMedic.Postgres.Sandbox;
using PgMedic.Postgres.Targets;

namespace PgMedic.Cli;

/// <summary>Builds the <c>pgmedic</c> command tree and turns every failure into one line and an exit code.</summary>
internal static class CliApp
{
    public static RootCommand BuildRoot(CliContext context) =>
        new("PgMedic finds, fixes and prevents PostgreSQL connection failures.")
        {
            ProbeCommand.Create(context),
            DiagnoseCommand.Create(context),
            CheckCommand.Create(context),
            TerminateCommand.Create(context),
            CancelCommand.Create(context),
            HealCommand.Create(context),
            EmergencyCommand.Create(context),
            ActivityCommand.Create(context),
            TopCommand.Create(context),
            SlowQueriesCommand.Create(context),
            Reporting.ReportCommand.Create(context),
            SandboxCommand.Create(context),
            DemoCommand.Create(context),
            AdviseCommand.Create(context),
            LogsCommand.Create(context),
            PoolsCommand.Create(context),
            ServeCommand.Create(context),
            ExportCommand.Create(context),
        };

    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default)
    {
        var root = BuildRoot(context);
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            var commandName = parseResult.CommandResult.Command.Name;
            var helpHint = parseResult.CommandResult.Command == root ? "pgmedic --help" : $"pgmedic {commandName} --help";
            var message = parseResult.UnmatchedTokens.Count > 0
                ? $"unexpected extra argument(s) (not shown: an unquoted conninfo splits into words, and one may hold a password); quote the TARGET, e.g. 'host=db user=app password=…'"
                : string.Join(' ', parseResult.Errors[0].Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            await context.Error.WriteLineAsync($"pgmedic: {message} (see '{helpHint}')");
            return (int)ExitCode.Unknown;
        }

        try
        {
            var configuration = new InvocationConfiguration
            {
                Output = context.Out,
                Error = context.Error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = TimeSpan.FromSeconds(30),
            };
            return await parseResult.InvokeAsync(configuration, cancellationToken);
        }
        catch (Exception ex) when (ex is TargetException or UsageException or SandboxException)
        {
            await context.Error.WriteLineAsync($"pgmedic: {ex.Message}");
            return (int)ExitCode.Unknown;
        }
        catch (CommandExitException ex)
        {
            await context.Error.WriteLineAsync($"pgmedic: {ex.Message}");
            return (int)ex.ExitCode;
        }
        catch (Npgsql.NpgsqlException ex)
        {
            // A server error nobody expected at that point (the server went away mid-command, say): one line, no stack trace.
            await context.Error.WriteLineAsync($"pgmedic: the server failed the command: {ex.Message.ReplaceLineEndings(" ")}");
            return (int)ExitCode.Critical;
        }
        catch (OperationCanceledException)
        {
            await context.Error.WriteLineAsync("pgmedic: cancelled");
            return (int)ExitCode.Unknown;
        }
    }
}
