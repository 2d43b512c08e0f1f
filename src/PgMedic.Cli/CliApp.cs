using System.CommandLine;
using System.CommandLine.Help;
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
using PgMedic.Core.Secrets;
using PgMedic.Postgres.Sandbox;
using PgMedic.Postgres.Targets;

namespace PgMedic.Cli;

/// <summary>Builds the <c>pgmedic</c> command tree and turns every failure into one line and an exit code.</summary>
internal static class CliApp
{
    public static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand("PgMedic finds, fixes and prevents PostgreSQL connection failures.")
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
            Slo.SloCommand.Create(context),
            History.HistoryCommand.Create(context),
        };

        // Help is -? and --help, as in psql: -h is the host.
        root.Options.Remove(root.Options.OfType<HelpOption>().Single());
        root.Options.Insert(0, HelpWriter.Option(context));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default)
    {
        var root = BuildRoot(context);
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            await context.Error.WriteLineAsync($"pgmedic: {ParseErrorText.Describe(parseResult)}");
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
            await context.Error.WriteLineAsync($"pgmedic: {ex.Message.ReplaceLineEndings(" ")}");
            return (int)ExitCode.Unknown;
        }
        catch (CommandExitException ex)
        {
            await context.Error.WriteLineAsync($"pgmedic: {ex.Message.ReplaceLineEndings(" ")}");
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
        catch (ActedException ex)
        {
            await context.Error.WriteLineAsync($"pgmedic: failed after acting ({ex.Message}): {OneLine(ex.InnerException!)}");
            return (int)ExitCode.Critical;
        }
        catch (Exception ex)
        {
            // The last resort: nothing was done, and a .NET trace would tell the user nothing they can act on.
            await context.Error.WriteLineAsync($"pgmedic: unexpected error, nothing was done: {OneLine(ex)}");
            return (int)ExitCode.Unknown;
        }
    }

    /// <summary>The exception's type and message on one line, scrubbed: a message may quote a connection string.</summary>
    public static string OneLine(Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        return SecretText.Scrub($"{ex.GetType().Name}: {ex.Message}".ReplaceLineEndings(" "));
    }
}
