using System.Diagnostics;
using Npgsql;
using PgMedic.Core.Remediation;
using PgMedic.Core.Statements;

namespace PgMedic.Postgres.Remediation;

/// <summary>
/// Runs a plan action by action over PgMedic's own connection, recording each action in the audit log
/// before and after it runs. An action only touches the session it was planned for: same PID, same
/// <c>backend_start</c> (a reused PID is another connection) and same <c>state_change</c> (a session that
/// woke up since the plan was shown is left alone).
/// </summary>
public sealed class PlanExecutor(NpgsqlConnection connection, AuditLog audit, string command, TimeProvider time)
{
    private const string ExistsClause = "FROM pg_stat_activity WHERE pid = $1 AND backend_start IS NOT DISTINCT FROM $2";

    public async Task<IReadOnlyList<ActionResult>> ExecuteAsync(RemediationPlan plan, string? step, ExecutionOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        await audit.PlanAsync(command, step, plan, cancellationToken).ConfigureAwait(false);
        var results = new List<ActionResult>();
        if (!options.CancelFirst)
        {
            if (plan.Actions.All(a => a.Action == SessionAction.Terminate) && plan.Actions.Count > 1
                && await TerminateTogetherAsync(plan.Actions, step, options.ExitWait, cancellationToken).ConfigureAwait(false) is { } together)
            {
                return together;
            }

            foreach (var action in plan.Actions)
            {
                results.Add(await RunAsync(action, action.Action, step, options.ExitWait, cancellationToken).ConfigureAwait(false));
            }

            return results;
        }

        foreach (var action in plan.Actions)
        {
            results.Add(await RunAsync(action, SessionAction.Cancel, step, options.ExitWait, cancellationToken).ConfigureAwait(false));
        }

        if (plan.Actions.Any(a => a.Action == SessionAction.Terminate))
        {
            await Task.Delay(options.Grace, time, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < results.Count; i++)
            {
                if (plan.Actions[i].Action == SessionAction.Terminate && results[i].Result is ActionOutcome.Cancelled or ActionOutcome.NotConfirmed)
                {
                    var second = await RunAsync(plan.Actions[i], SessionAction.Terminate, step, options.ExitWait, cancellationToken).ConfigureAwait(false);
                    // A session whose cancel worked moved on (its state changed): it stays, cancelled.
                    results[i] = second.Result == ActionOutcome.Changed ? results[i] : second;
                }
            }
        }

        return results;
    }

    /// <summary>
    /// Signals every planned session in one statement, then waits for them to exit together: a leak of
    /// hundreds of sessions is cleared in one round trip instead of one wait per backend. Each action is
    /// still audited before and after. Sessions this role may not signal are reported as such rather than
    /// failing the statement. Null when the server refused anyway: the caller then goes one by one.
    /// </summary>
    private async Task<IReadOnlyList<ActionResult>?> TerminateTogetherAsync(IReadOnlyList<PlannedAction> actions, string? step, TimeSpan exitWait, CancellationToken cancellationToken)
    {
        foreach (var action in actions)
        {
            await audit.ActionStartedAsync(command, step, action, cancellationToken).ConfigureAwait(false);
        }

        var stopwatch = Stopwatch.StartNew();
        var outcome = new Dictionary<int, (bool Exists, bool Unchanged, bool Allowed, bool Signalled)>();
        try
        {
            await using var signal = new NpgsqlCommand(
                StatementSources.Marker + """
                WITH me AS (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
                     planned AS (
                       SELECT t.pid, a.pid IS NOT NULL AS present, a.state_change IS NOT DISTINCT FROM t.state_change AS unchanged,
                              coalesce((SELECT rolsuper FROM me), false)
                                OR (NOT coalesce(r.rolsuper, false) AND (pg_has_role(a.usesysid, 'MEMBER') OR pg_has_role('pg_signal_backend', 'MEMBER'))) AS allowed
                       FROM unnest($1::int[], $2::timestamptz[], $3::timestamptz[]) AS t(pid, backend_start, state_change)
                       LEFT JOIN pg_stat_activity a ON a.pid = t.pid AND a.backend_start IS NOT DISTINCT FROM t.backend_start
                       LEFT JOIN pg_roles r ON r.oid = a.usesysid)
                SELECT pid, present, unchanged, allowed,
                       CASE WHEN present AND unchanged AND allowed THEN pg_terminate_backend(pid) ELSE false END
                FROM planned
                """,
                connection);
            signal.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = actions.Select(a => a.Pid).ToArray() });
            signal.Parameters.Add(new NpgsqlParameter<DateTime?[]> { TypedValue = actions.Select(a => a.BackendStart?.UtcDateTime).ToArray() });
            signal.Parameters.Add(new NpgsqlParameter<DateTime?[]> { TypedValue = actions.Select(a => a.StateChange?.UtcDateTime).ToArray() });
            await using (var reader = await signal.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    outcome[reader.GetInt32(0)] = (reader.GetBoolean(1), reader.GetBoolean(2), !reader.IsDBNull(3) && reader.GetBoolean(3), reader.GetBoolean(4));
                }
            }
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            return null;
        }

        var signalled = outcome.Where(o => o.Value.Signalled).Select(o => o.Key).ToArray();
        var stillThere = await WaitForExitAsync(signalled, exitWait, cancellationToken).ConfigureAwait(false);
        var milliseconds = stopwatch.Elapsed.TotalMilliseconds;
        var results = new List<ActionResult>();
        foreach (var action in actions)
        {
            var (result, detail) = outcome.GetValueOrDefault(action.Pid) switch
            {
                (false, _, _, _) => (ActionOutcome.AlreadyGone, "the session ended before PgMedic acted"),
                (true, false, _, _) => (ActionOutcome.Changed, "the session changed state since the plan was made"),
                (true, true, false, _) => (ActionOutcome.PermissionDenied, "this role may not signal that session (grant pg_signal_backend, or run as a superuser)"),
                (_, _, _, true) when !stillThere.Contains(action.Pid) => (ActionOutcome.Terminated, (string?)null),
                _ => (ActionOutcome.NotConfirmed, NotExited(exitWait)),
            };
            await audit.ActionFinishedAsync(command, step, action, result, detail, milliseconds, cancellationToken).ConfigureAwait(false);
            results.Add(new ActionResult(action, result, detail, milliseconds));
        }

        return results;
    }

    /// <returns>The PIDs still present when the wait ended.</returns>
    private async Task<HashSet<int>> WaitForExitAsync(int[] pids, TimeSpan limit, CancellationToken cancellationToken)
    {
        var remaining = pids.ToHashSet();
        var started = time.GetTimestamp();
        await using var check = new NpgsqlCommand(StatementSources.Marker + "SELECT pid FROM pg_stat_activity WHERE pid = ANY($1)", connection);
        check.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = pids });
        while (remaining.Count > 0)
        {
            remaining.Clear();
            await using (var reader = await check.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    remaining.Add(reader.GetInt32(0));
                }
            }

            if (remaining.Count == 0 || time.GetElapsedTime(started) > limit)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), time, cancellationToken).ConfigureAwait(false);
        }

        return remaining;
    }

    /// <summary>One wording for a backend that did not go, whichever path waited for it.</summary>
    private static string NotExited(TimeSpan wait) => $"the backend had not exited {Core.Common.Duration.Format(wait)} after the signal";

    private async Task<ActionResult> RunAsync(PlannedAction planned, SessionAction kind, string? step, TimeSpan exitWait, CancellationToken cancellationToken)
    {
        var action = planned with { Action = kind };
        await audit.ActionStartedAsync(command, step, action, cancellationToken).ConfigureAwait(false);
        var stopwatch = Stopwatch.StartNew();
        var (result, detail) = await SignalAsync(action, exitWait, cancellationToken).ConfigureAwait(false);
        var outcome = new ActionResult(action, result, detail, stopwatch.Elapsed.TotalMilliseconds);
        await audit.ActionFinishedAsync(command, step, action, result, detail, outcome.ElapsedMilliseconds, cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    private async Task<(ActionOutcome Result, string? Detail)> SignalAsync(PlannedAction action, TimeSpan exitWait, CancellationToken cancellationToken)
    {
        // pg_terminate_backend(pid, timeout) (PostgreSQL 14+) waits until the backend has exited, so "terminated" means gone.
        var waitMilliseconds = Math.Max(1, (long)exitWait.TotalMilliseconds);
        var signal = action.Action == SessionAction.Terminate
            ? (connection.PostgreSqlVersion.Major >= 14 ? $"pg_terminate_backend(pid, {waitMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture)})" : "pg_terminate_backend(pid)")
            : "pg_cancel_backend(pid)";
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand($"{StatementSources.Marker}SELECT state_change IS NOT DISTINCT FROM $3 {ExistsClause}") { Parameters = { Pid(action), Start(action), Change(action) } },
                new NpgsqlBatchCommand($"{StatementSources.Marker}SELECT {signal} {ExistsClause} AND state_change IS NOT DISTINCT FROM $3") { Parameters = { Pid(action), Start(action), Change(action) } },
            },
        };
        try
        {
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var exists = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var unchanged = exists && reader.GetBoolean(0);
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            var signalled = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && reader.GetBoolean(0);
            return (exists, unchanged, signalled) switch
            {
                (false, _, _) => (ActionOutcome.AlreadyGone, "the session ended before PgMedic acted"),
                (true, false, _) => (ActionOutcome.Changed, "the session changed state since the plan was made"),
                (_, _, true) => (action.Action == SessionAction.Terminate ? ActionOutcome.Terminated : ActionOutcome.Cancelled, null),
                _ => (ActionOutcome.NotConfirmed, NotExited(exitWait)),
            };
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.QueryCanceled)
        {
            // PgMedic's own statement timeout ended the wait: the same situation as a wait that ran out.
            return (ActionOutcome.NotConfirmed, NotExited(exitWait));
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            return (ActionOutcome.PermissionDenied, ex.MessageText + " (grant pg_signal_backend, or run as a superuser)");
        }
        catch (PostgresException ex)
        {
            return (ActionOutcome.Failed, ex.MessageText);
        }
    }

    private static NpgsqlParameter<int> Pid(PlannedAction action) => new() { TypedValue = action.Pid };

    private static NpgsqlParameter<DateTimeOffset?> Start(PlannedAction action) => new() { TypedValue = action.BackendStart, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz };

    private static NpgsqlParameter<DateTimeOffset?> Change(PlannedAction action) => new() { TypedValue = action.StateChange, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz };
}
