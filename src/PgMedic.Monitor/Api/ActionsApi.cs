using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using PgMedic.Core.Remediation;
using PgMedic.Monitor.Configuration;
using PgMedic.Monitor.Polling;
using PgMedic.Postgres.Remediation;

namespace PgMedic.Monitor.Api;

/// <summary>
/// Actions, off unless <c>readOnly</c> is false, and then only with the bearer token: run the runbook's
/// heal, or terminate one session. A door to the one remediation engine, with the target's own heal
/// thresholds and guardrails from the config; runs over the target's lifeline (so it works when the
/// server is full) and is audited with origin <c>serve</c>.
/// </summary>
internal static class ActionsApi
{
    public static IEndpointRouteBuilder MapActionsApi(this IEndpointRouteBuilder app)
    {
        var actions = app.MapGroup("/api/targets/{target}/actions").RequireRateLimiting(HttpHardening.ActionsPolicy);
        actions.MapPost("/heal", HealAsync);
        actions.MapPost("/terminate/{pid:int}", TerminateAsync);
        return app;
    }

    private static async Task<Results<Ok<RemediationReport>, ProblemHttpResult>> HealAsync(
        string target, HealRequest? request, HttpContext http, MonitorOptions options, PollingService polling, MonitorState state, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (Refuse(target, http, options, polling, state) is { } refused)
        {
            return refused;
        }

        var dryRun = request?.DryRun ?? true;
        var monitored = polling.Pollers[target].Target;
        var (report, failure) = await RunAsync(RemediationVerb.Heal, monitored, options, polling, time, r => r with { Heal = monitored.Heal }, dryRun, cancellationToken).ConfigureAwait(false);
        if (report is null)
        {
            return Unreachable(failure);
        }

        MonitorLog.ActionRun(loggers.CreateLogger("PgMedic.Monitor.Actions"), "heal", target, report.Steps.Sum(s => s.Results.Count));
        return report.Outcome == RunOutcome.Busy ? Busy(report) : TypedResults.Ok(report);
    }

    private static async Task<Results<Ok<RemediationReport>, ProblemHttpResult>> TerminateAsync(
        string target, int pid, HttpContext http, MonitorOptions options, PollingService polling, MonitorState state, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (Refuse(target, http, options, polling, state) is { } refused)
        {
            return refused;
        }

        var monitored = polling.Pollers[target].Target;
        var (report, failure) = await RunAsync(RemediationVerb.Terminate, monitored, options, polling, time, r => r with { Selection = new SessionSelection { Pid = pid } }, dryRun: false, cancellationToken).ConfigureAwait(false);
        if (report is null)
        {
            return Unreachable(failure);
        }

        MonitorLog.ActionRun(loggers.CreateLogger("PgMedic.Monitor.Actions"), "terminate", target, report.Steps.Sum(s => s.Results.Count));
        if (report.Outcome == RunOutcome.Busy)
        {
            return Busy(report);
        }

        if (report.Outcome == RunOutcome.NothingToDo)
        {
            var spared = report.Steps.SelectMany(s => s.Plan?.Spared ?? []).FirstOrDefault();
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "not terminated",
                detail: spared is null ? $"no session with PID {pid} on {target}" : $"PID {pid} is spared: {SpareWords(spared)}",
                extensions: spared is null ? null : new Dictionary<string, object?> { ["reason"] = spared.Reason, ["reasonDetail"] = spared.Detail });
        }

        return TypedResults.Ok(report);
    }

    private static async Task<(RemediationReport? Report, PgMedic.Core.Probing.ProbeResult? Failure)> RunAsync(
        RemediationVerb verb, MonitoredTarget target, MonitorOptions options, PollingService polling, TimeProvider time, Func<RemediationRequest, RemediationRequest> configure, bool dryRun, CancellationToken cancellationToken)
    {
        var request = configure(new RemediationRequest
        {
            Verb = verb,
            Origin = RemediationOrigin.Serve,
            AuditLogPath = options.AuditLogPath ?? AuditLog.DefaultPath(Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)),
            Guardrails = target.Guardrails,
            Thresholds = target.Thresholds,
            Timeout = options.Timeout,
        });
        var engine = new RemediationEngine(time);
        return await polling.Pollers[target.Name].Lifeline.UseAsync(
            connection => engine.RunAsync(connection, target.Connection, request, (_, _) => Task.FromResult(dryRun ? Confirmation.NotAsked : Confirmation.Confirmed), null, cancellationToken),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A spared reason in the monitor's words: the config key that would change it.</summary>
    private static string SpareWords(SparedSession spared) => spared.Reason switch
    {
        SpareReason.NotClientBackend => $"not a client backend ({spared.Detail})",
        SpareReason.OwnBackend => "the monitor's own connection",
        SpareReason.OtherDatabase => $"in another database ({spared.Detail}; see guardrails.databases)",
        SpareReason.PlatformRole => $"the managed service's own role {spared.Detail} (always protected)",
        SpareReason.Superuser => "a superuser session, not in guardrails.appRoles (guardrails.includeSuperusers is false)",
        SpareReason.ProtectedRole => $"protected role {spared.Detail} (guardrails.protectUsers)",
        SpareReason.ProtectedApplication => $"protected application {spared.Detail}",
        _ => $"over guardrails.maxActions {spared.Detail}",
    };

    private static ProblemHttpResult Busy(RemediationReport report)
    {
        var holder = report.Holder;
        var who = holder?.Verb is { } verb ? $"{verb} from {holder.Door} on {holder.Host} since {holder.Since:O}" : "another remediation";
        return TypedResults.Problem(
            statusCode: StatusCodes.Status409Conflict,
            title: "another remediation is running on this server",
            detail: $"{who} holds the server's remediation lock (PID {holder?.Pid}): nothing was done",
            extensions: new Dictionary<string, object?> { ["holderPid"] = holder?.Pid, ["holderDoor"] = holder?.Door, ["holderHost"] = holder?.Host, ["holderVerb"] = holder?.Verb, ["holderSince"] = holder?.Since });
    }

    private static ProblemHttpResult? Refuse(string target, HttpContext http, MonitorOptions options, PollingService polling, MonitorState state)
    {
        if (options.ReadOnly)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "actions are off", detail: "the monitor is read-only: set \"readOnly\": false and an accessToken to allow actions");
        }

        if (options.AccessToken is null || !AccessToken.HasBearer(http, options.AccessToken))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "access token required", detail: "actions need 'Authorization: Bearer <accessToken>'");
        }

        return polling.Pollers.ContainsKey(target) ? null
            : TypedResults.Problem(state.Get(target) is null ? Problems.UnknownTarget(target) : Problems.OtherShard(target, options.Shard));
    }

    private static ProblemHttpResult Unreachable(PgMedic.Core.Probing.ProbeResult? failure) =>
        TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "the lifeline is down", detail: failure is null ? "no connection" : $"{failure.Reason}: {failure.Message}");
}
