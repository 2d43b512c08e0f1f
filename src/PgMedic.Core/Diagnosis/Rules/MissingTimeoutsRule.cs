namespace PgMedic.Core.Diagnosis.Rules;

/// <summary>
/// Prevention: with <c>idle_in_transaction_session_timeout</c> at 0, a transaction left open holds its
/// slot and locks forever. Info on a quiet server; a warning once such sessions exist.
/// </summary>
internal sealed class MissingTimeoutsRule : IDiagnosisRule
{
    public IEnumerable<Finding> Evaluate(DiagnosisContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Snapshot.Timeouts.IdleInTransactionSessionTimeout > TimeSpan.Zero)
        {
            yield break;
        }

        var suggested = context.Options.SuggestedIdleInTransactionTimeout;
        var idleInTransaction = context.Snapshot.ClientBackends.Count(s => Snapshots.SessionStates.IsIdleInTransaction(s.State));
        var minutes = (int)Math.Max(1, Math.Round(suggested.TotalMinutes));
        yield return new Finding(
            FindingCodes.MissingTimeouts,
            idleInTransaction > 0 ? Severity.Warning : Severity.Info,
            "idle_in_transaction_session_timeout is off: a transaction left open holds its connection and locks forever",
            [
                $"idle_in_transaction_session_timeout = 0; {idleInTransaction} session(s) idle in a transaction right now",
                $"idle_session_timeout {Text.Setting(context.Snapshot.Timeouts.IdleSessionTimeout)}, statement_timeout {Text.Setting(context.Snapshot.Timeouts.StatementTimeout)}",
            ],
            [],
            RunbookStep.Prevention,
            Fix.Say($"ALTER SYSTEM SET idle_in_transaction_session_timeout = '{minutes}min'; SELECT pg_reload_conf();  (or per role: ALTER ROLE app SET …)"));
    }
}
