using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using ActionResult = PgMedic.Postgres.Remediation.ActionResult;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Npgsql;
using PgMedic.Core.Remediation;
using PgMedic.Monitor.Configuration;
using PgMedic.Monitor.Polling;
using PgMedic.Postgres.Collection;
using PgMedic.Postgres.Remediation;

namespace PgMedic.Monitor.Api;

/// <summary>
/// Actions, off unless <c>readOnly</c> is false, and then only with the bearer token: run the runbook's
/// heal plan, or terminate one session. Both plan first, go through the guardrails, run over the
/// target's lifeline (so they work when the server is full) and are written to the audit log.
/// </summary>
internal static class ActionsApi
{
    public static IEndpointRouteBuilder MapActionsApi(this IEndpointRouteBuilder app)
    {
        var actions = app.MapGroup("/api/targets/{target}/actions");
        actions.MapPost("/heal", HealAsync);
        actions.MapPost("/terminate/{pid:int}", TerminateAsync);
        return app;
    }

    private static async Task<Results<Ok<ActionView>, ProblemHttpResult>> HealAsync(
        string target, HealRequest? request, HttpContext http, MonitorOptions options, PollingService polling, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (Refuse(target, http, options, polling) is { } refused)
        {
            return refused;
        }

        var dryRun = request?.DryRun ?? true;
        var monitored = options.Find(target)!;
        var (view, failure) = await polling.Pollers[target].Lifeline.UseAsync(async connection =>
        {
            var snapshot = await SnapshotCollector.CollectAsync(connection, options.Timeout, cancellationToken).ConfigureAwait(false);
            var steps = HealPlanner.Plan(snapshot, new HealOptions(), Guardrails(snapshot, monitored));
            var plans = steps.Select(s => s.Plan).ToList();
            if (dryRun)
            {
                return new ActionView(target, "heal", true, plans, []);
            }

            var results = await ExecuteAsync(connection, options, monitored, "serve:heal", steps.Select(s => (s.Name, s.Plan)), time, cancellationToken).ConfigureAwait(false);
            MonitorLog.ActionRun(loggers.CreateLogger("PgMedic.Monitor.Actions"), "heal", target, results.Count);
            return new ActionView(target, "heal", false, plans, results);
        }, cancellationToken).ConfigureAwait(false);
        return view is not null ? TypedResults.Ok(view) : Unreachable(failure);
    }

    private static async Task<Results<Ok<ActionView>, ProblemHttpResult>> TerminateAsync(
        string target, int pid, HttpContext http, MonitorOptions options, PollingService polling, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (Refuse(target, http, options, polling) is { } refused)
        {
            return refused;
        }

        var monitored = options.Find(target)!;
        string? problem = null;
        var (view, failure) = await polling.Pollers[target].Lifeline.UseAsync(async connection =>
        {
            var snapshot = await SnapshotCollector.CollectAsync(connection, options.Timeout, cancellationToken).ConfigureAwait(false);
            var session = snapshot.Sessions.FirstOrDefault(s => s.Pid == pid);
            if (session is null)
            {
                problem = $"no session with PID {pid} on {target}";
                return null;
            }

            var plan = PgMedic.Core.Remediation.Guardrails.Apply($"terminate session {pid}", [(session, SessionAction.Terminate, "terminated through the monitor's API")], snapshot.TakenAt, Guardrails(snapshot, monitored));
            if (plan.IsEmpty)
            {
                problem = $"PID {pid} is protected: {plan.Spared.FirstOrDefault()?.Why ?? "a guardrail spared it"}";
                return null;
            }

            var results = await ExecuteAsync(connection, options, monitored, "serve:terminate", [("terminate", plan)], time, cancellationToken).ConfigureAwait(false);
            MonitorLog.ActionRun(loggers.CreateLogger("PgMedic.Monitor.Actions"), "terminate", target, results.Count);
            return new ActionView(target, "terminate", false, [plan], results);
        }, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "not terminated", detail: problem);
        }

        return view is not null ? TypedResults.Ok(view) : Unreachable(failure);
    }

    private static ProblemHttpResult? Refuse(string target, HttpContext http, MonitorOptions options, PollingService polling)
    {
        if (options.ReadOnly)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "actions are off", detail: "the monitor is read-only: set \"readOnly\": false and an accessToken to allow actions");
        }

        if (options.AccessToken is null || !AccessToken.HasBearer(http, options.AccessToken))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "access token required", detail: "actions need 'Authorization: Bearer <accessToken>'");
        }

        return polling.Pollers.ContainsKey(target) ? null : TypedResults.Problem(Problems.UnknownTarget(target));
    }

    private static ProblemHttpResult Unreachable(PgMedic.Core.Probing.ProbeResult? failure) =>
        TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "the lifeline is down", detail: failure is null ? "no connection" : $"{failure.Reason}: {failure.Message}");

    private static GuardrailOptions Guardrails(PgMedic.Core.Snapshots.Snapshot snapshot, MonitoredTarget target) => new()
    {
        TargetDatabase = snapshot.TargetDatabase ?? target.Connection.EffectiveDatabase,
        OwnPid = snapshot.CollectorPid,
    };

    private static async Task<List<ActionResult>> ExecuteAsync(
        NpgsqlConnection connection, MonitorOptions options, MonitoredTarget target, string command, IEnumerable<(string Step, RemediationPlan Plan)> steps, TimeProvider time, CancellationToken cancellationToken)
    {
        var path = options.AuditLogPath ?? AuditLog.DefaultPath(Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));
        await using var audit = AuditLog.Open(path, target.Masked, target.Connection.Password, time);
        var executor = new PlanExecutor(connection, audit, command, time);
        var results = new List<ActionResult>();
        foreach (var (step, plan) in steps.Where(s => !s.Plan.IsEmpty))
        {
            results.AddRange(await executor.ExecuteAsync(plan, step, new ExecutionOptions(false, TimeSpan.Zero), cancellationToken).ConfigureAwait(false));
        }

        return results;
    }
}
