using System.CommandLine;
using PgMedic.Cli.Common;
using PgMedic.Cli.Output;
using PgMedic.Core.Common;
using PgMedic.Postgres.Probing;

namespace PgMedic.Cli.Probing;

/// <summary><c>pgmedic probe</c>: can we connect at all, and if not, why not.</summary>
internal static class ProbeCommand
{
    public static Command Create(CliContext context)
    {
        var server = new ConnectionOptions();
        var timeout = CommonOptions.DurationOption("--timeout", "-t", "Give up after this long, connect and query together", TimeSpan.FromSeconds(5));
        var format = CommonOptions.Format();
        var command = new Command("probe", "Open one connection and run SELECT 1; tell accepting, rejecting (too many clients, auth, missing database, starting up) and no response (refused, timeout, DNS, TLS) apart. Exit 0 accepting, 1 rejecting, 2 no response, 3 no attempt.")
        {
            timeout,
            format,
        };
        server.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var resolved = server.Resolve(parseResult, context);
            var result = await Prober.ProbeAsync(resolved, parseResult.GetValue(timeout), cancellationToken);
            ProbeRenderer.Render(result, parseResult.GetValue(format), context);
            return (int)result.ExitCode;
        });
        return command;
    }
}
