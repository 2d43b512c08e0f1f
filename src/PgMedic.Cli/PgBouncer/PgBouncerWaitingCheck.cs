using System.CommandLine;
using PgMedic.Cli.Common;
using PgMedic.Core.Common;
using PgMedic.Core.PgBouncer;
using PgMedic.Postgres.PgBouncer;
using PgMedic.Postgres.Targets;

namespace PgMedic.Cli.PgBouncer;

/// <summary>
/// <c>pgmedic check pgbouncer-waiting TARGET</c>, ready for the <c>check</c> verb to add as a
/// subcommand (<see cref="Create"/>) or to call (<see cref="RunAsync"/>). Prints one Nagios line;
/// exit 0 OK, 1 WARNING, 2 CRITICAL (also when the admin console does not answer), 3 bad input.
/// </summary>
internal static class PgBouncerWaitingCheck
{
    public const string Name = "pgbouncer-waiting";

    private static readonly PgBouncerOptions Defaults = new();

    public static Command Create(CliContext context)
    {
        var server = new ConnectionOptions("PgBouncer's admin console, e.g. postgres://stats:pw@127.0.0.1:6432/pgbouncer (the user must be in admin_users or stats_users; the database is always pgbouncer)");
        var warning = new Option<int>("--warning", "-w") { Description = "WARNING at this many waiting clients (default 1)", HelpName = "n", DefaultValueFactory = _ => Defaults.WaitingWarning };
        var critical = new Option<int>("--critical", "-c") { Description = "CRITICAL at this many waiting clients (default 10)", HelpName = "n", DefaultValueFactory = _ => Defaults.WaitingCritical };
        var maxWaitWarning = CommonOptions.DurationOption("--maxwait-warning", "--mw", "WARNING when a client has waited this long", Defaults.MaxWaitWarning);
        var maxWaitCritical = CommonOptions.DurationOption("--maxwait-critical", "--mc", "CRITICAL when a client has waited this long", Defaults.MaxWaitCritical);
        var timeout = CommonOptions.DurationOption("--timeout", "-t", "Give up on the admin console after this long", TimeSpan.FromSeconds(5));
        var command = new Command(Name, "Clients queued inside PgBouncer (cl_waiting, maxwait from SHOW POOLS) as a Nagios check.")
        {
            warning,
            critical,
            maxWaitWarning,
            maxWaitCritical,
            timeout,
        };
        server.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var thresholds = new PgBouncerOptions
            {
                WaitingWarning = parseResult.GetValue(warning),
                WaitingCritical = parseResult.GetValue(critical),
                MaxWaitWarning = parseResult.GetValue(maxWaitWarning),
                MaxWaitCritical = parseResult.GetValue(maxWaitCritical),
            };
            var errors = thresholds.Validate();
            if (errors.Count > 0)
            {
                throw new UsageException(string.Join("; ", errors));
            }

            var resolved = server.Resolve(parseResult, context);
            return await RunAsync(resolved, thresholds, parseResult.GetValue(timeout), context.Out, cancellationToken);
        });
        return command;
    }

    /// <summary>Reads <c>SHOW POOLS</c>, prints the Nagios line and returns the exit code.</summary>
    public static async Task<int> RunAsync(ConnectionTarget target, PgBouncerOptions thresholds, TimeSpan timeout, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        PgBouncerCheckResult result;
        try
        {
            var pools = await PgBouncerCollector.PoolsAsync(target, timeout, cancellationToken);
            result = PgBouncerWaiting.Evaluate(pools, thresholds);
        }
        catch (PgBouncerException e)
        {
            result = new PgBouncerCheckResult(ExitCode.Critical, $"{PgBouncerWaiting.Name} CRITICAL - cannot read PgBouncer's admin console: {e.Message}", []);
        }

        await output.WriteLineAsync(result.Line);
        return (int)result.Status;
    }
}
