using Npgsql;
using PgMedic.Cli.Remediation;
using PgMedic.Core.Remediation;
using PgMedic.Core.Snapshots;
using PgMedic.Postgres.Collection;
using PgMedic.Postgres.Remediation;
using PgMedic.Postgres.Targets;

namespace PgMedic.Cli.Top;

/// <summary>What a key's action came to, as the result line shows it.</summary>
internal sealed record TopActionResult(string Line, LineStyle Style, RemediationReport? Report);

/// <summary>
/// <c>top</c>'s door to the remediation engine: <c>K</c> and <c>C</c> run terminate and cancel of the chosen
/// PIDs through the same engine as the CLI verbs (plan, guardrails, the dialog as the confirmation, the
/// server's remediation lock, execute, audit, verify) over top's own connection, with the same
/// guardrail options and audit log as <c>pgmedic terminate</c>.
/// </summary>
internal sealed class TopActions(CollectorConnection collector, ConnectionTarget target, GuardrailOptions guardrails, string auditLogPath, TimeSpan timeout, TimeProvider time)
{
    public string AuditLogPath => auditLogPath;

    public async Task<TopActionResult> RunAsync(RemediationVerb verb, IReadOnlyList<int> pids, IReadOnlyDictionary<int, SessionInfo> seen, ConfirmRemediation confirm, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pids);
        ArgumentNullException.ThrowIfNull(seen);
        var key = verb == RemediationVerb.Cancel ? "C" : "K";
        var request = new RemediationRequest
        {
            Verb = verb,
            Origin = RemediationOrigin.Top,
            AuditLogPath = auditLogPath,
            Guardrails = guardrails,
            Timeout = timeout,
            Selection = verb == RemediationVerb.Cancel
                ? new SessionSelection { State = "active", Pids = pids }
                : new SessionSelection { Pids = pids },
        };
        RemediationReport report;
        try
        {
            report = await collector.UseAsync((connection, token) => new RemediationEngine(time).RunAsync(connection, target, request, confirm, null, token), cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidRemediationRequestException ex)
        {
            return new TopActionResult($"{key}: not run — {ex.Message}", LineStyle.Bad, null);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            return new TopActionResult($"{key}: failed — {ex.Message.ReplaceLineEndings(" ")} (see the audit log {auditLogPath} for what was done)", LineStyle.Bad, null);
        }

        return new TopActionResult(Describe(key, verb, report, pids, seen), StyleOf(report), report);
    }

    /// <summary>The result line: what each session came to, or why nothing was done, and where the audit log is.</summary>
    public static string Describe(string key, RemediationVerb verb, RemediationReport report, IReadOnlyList<int> pids, IReadOnlyDictionary<int, SessionInfo> seen)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(seen);
        var step = report.Steps.FirstOrDefault();
        var spared = step?.Plan?.Spared.Where(s => s.Reason != SpareReason.OwnBackend).ToList() ?? [];
        var sparedText = spared.Count == 0 ? string.Empty
            : " Spared: " + string.Join("; ", spared.Select(s => $"pid {s.Pid} ({s.User}, {s.Application}) — {SpareText.Of(s)}")) + ".";
        switch (report.Outcome)
        {
            case RunOutcome.Executed:
                var results = string.Join(", ", step!.Results.Select(r => $"pid {r.Action.Pid} ({r.Action.Application}) {ActionOutcomeText.Of(r.Result)}"));
                var verify = step.Verification is { } v ? $"; client connections {v.ClientBackendsBefore} → {v.ClientBackendsAfter}" : string.Empty;
                return $"{key}: {results}{verify}.{sparedText} Audit log: {report.AuditLog}";
            case RunOutcome.Declined:
                return $"{key}: declined — nothing was changed.";
            case RunOutcome.Busy:
                return $"{key}: not run — {RemediationWriter.Holder(report.Holder)}. Nothing was changed.";
            case RunOutcome.NothingToDo when spared.Count > 0:
                return $"{key}: nothing done.{sparedText}";
            case RunOutcome.NothingToDo:
                var what = string.Join(", ", pids.Select(pid => seen.TryGetValue(pid, out var s)
                    ? $"pid {pid} is {s.State ?? "not visible"}"
                    : $"pid {pid} is gone"));
                return verb == RemediationVerb.Cancel
                    ? $"{key}: nothing to cancel — {what}: cancel stops a running query (K ends the session)."
                    : $"{key}: nothing to terminate — {what}.";
            default:
                return $"{key}: {RemediationWriter.Ending(report)}";
        }
    }

    private static LineStyle StyleOf(RemediationReport report) => report.Outcome switch
    {
        RunOutcome.Executed when report.ExitCode == Core.Common.ExitCode.Ok => LineStyle.Good,
        RunOutcome.Executed or RunOutcome.Busy or RunOutcome.NothingToDo => LineStyle.Warning,
        _ => LineStyle.Plain,
    };
}
