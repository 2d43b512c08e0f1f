using System.CommandLine;
using PgMedic.Cli.Common;
using PgMedic.Core.Common;
using PgMedic.Core.Probing;
using PgMedic.Core.Remediation;
using PgMedic.Postgres.Collection;
using PgMedic.Postgres.Probing;
using PgMedic.Postgres.Remediation;

namespace PgMedic.Cli.Remediation;

/// <summary>
/// The CLI's door to the remediation engine: resolves the target, opens PgMedic's one connection,
/// confirms with <c>--yes</c> or a terminal prompt, shows the run live and renders its report.
/// </summary>
internal static class RemediationRun
{
    /// <param name="confirm">The verb's own confirmation; by default <c>--yes</c>, else a prompt on a terminal, else a dry run.</param>
    /// <exception cref="CommandExitException">The server cannot be reached or refuses PgMedic: the probe's reason.</exception>
    public static async Task<int> RunAsync(
        RemediationVerb verb,
        Func<RemediationRequest, RemediationRequest> configure,
        RemediationOptions options,
        ParseResult parseResult,
        CliContext context,
        CancellationToken cancellationToken,
        ConfirmRemediation? confirm = null)
    {
        var target = options.Connection.Resolve(parseResult, context);
        var timeout = parseResult.GetValue(options.Timeout);
        var started = context.Time.GetUtcNow();
        var request = configure(new RemediationRequest
        {
            Verb = verb,
            Origin = RemediationOrigin.Cli,
            AuditLogPath = options.AuditLogPath(parseResult, context),
            Guardrails = options.Guardrails(parseResult),
            Timeout = timeout,

            // terminate and cancel are one-shot: --timeout bounds the whole command, the wait for backends included.
            Deadline = verb is RemediationVerb.Terminate or RemediationVerb.Cancel ? started + timeout : null,
        });
        if (AuditLog.Problem(request.AuditLogPath) is { } auditProblem)
        {
            // Bad input is refused before anything connects.
            throw new UsageException(auditProblem);
        }

        // A one-shot verb drops its connection at once when a query outlives the deadline (no 2 s wait for the server to confirm the cancel).
        var settings = request.Deadline is null ? ConnectionSettings.Collector : ConnectionSettings.OneShot;
        var (connection, probe) = await Prober.ConnectAsync(target, timeout, settings, cancellationToken);
        if (connection is null)
        {
            // Nothing can be done without a connection: exit 2, as heal.md says, whatever refused it.
            var hint = FullServer.RefusesEveryone(probe) ? $" — {FullServer.RefusesEveryoneSummary}, so nothing can act through a login. {FullServer.ExitsText}"
                : FullServer.ReservedSlotsLeft(probe) ? " — only the superuser-reserved slots are left: re-run it as a superuser, who still gets in"
                : Probing.ProbeRenderer.Next(probe, verb.ToString().ToLowerInvariant()) is { } advice ? $" — {advice}"
                : string.Empty;
            throw new CommandExitException(ExitCode.Critical, $"cannot connect to {target.Masked}: {probe.Reason} ({probe.Message}){hint}");
        }

        await using (connection)
        {
            var writer = new RemediationWriter(context, parseResult.GetValue(options.Format));
            var ledger = new ActionLedger(writer);
            try
            {
                var report = await new RemediationEngine(context.Time).RunAsync(
                    connection,
                    target,
                    request,
                    confirm ?? ((question, _) => Task.FromResult(options.Confirm(parseResult, context, question))),
                    ledger,
                    cancellationToken);
                writer.Final(report);
                return (int)report.ExitCode;
            }
            catch (InvalidRemediationRequestException ex)
            {
                throw new UsageException(ex.Message);
            }
            catch (Exception ex) when (ledger.Done() is { } done && ex is not OperationCanceledException)
            {
                throw new ActedException(done, ex);
            }
        }
    }
}
