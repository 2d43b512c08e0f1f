using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using PgMedic.Core.Capacity;
using PgMedic.Core.Common;
using PgMedic.Core.Reporting;
using PgMedic.Core.SessionHistory;
using PgMedic.Core.Slo;
using PgMedic.Monitor.History;
using PgMedic.Monitor.Polling;

namespace PgMedic.Monitor.Api;

/// <summary>The objective, what was happening at a moment, capacity over days and an incident's evidence (docs/commands/serve.md).</summary>
internal static class HistoryApi
{
    /// <summary>The longest stretch one activity question may cover.</summary>
    public static readonly TimeSpan MaxSpan = TimeSpan.FromDays(1);

    public static IEndpointRouteBuilder MapHistoryApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/targets/{target}");
        api.MapGet("/slo", Results<Ok<SloView>, NotFound<ProblemDetails>> (string target, MonitorState state) =>
            state.Get(target) is { } s
                ? TypedResults.Ok(new SloView(target, s.Target.Masked, s.Slo))
                : TypedResults.NotFound(Problems.UnknownTarget(target)));
        api.MapGet("/activity", GetActivityAsync);
        api.MapGet("/capacity", GetCapacityAsync);
        api.MapGet("/evidence", GetEvidenceAsync);
        return app;
    }

    private static async Task<Results<Ok<ActivityMoment>, NotFound<ProblemDetails>, BadRequest<ProblemDetails>, ProblemHttpResult>> GetActivityAsync(
        string target, string? at, string? @for, PollingService polling, MonitorState state, IHistoryStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!polling.Pollers.TryGetValue(target, out var poller))
        {
            return NotPolledHere(target, state);
        }

        var now = time.GetUtcNow();
        var moment = now;
        if (at is not null && MomentText.TryParse(at, now, out moment) is { } error)
        {
            return TypedResults.BadRequest(Problems.Of(StatusCodes.Status400BadRequest, "bad time", $"at: {error}"));
        }

        TimeSpan? span = null;
        if (@for is not null)
        {
            if (!Duration.TryParse(@for, out var parsed) || parsed <= TimeSpan.Zero || parsed > MaxSpan)
            {
                return TypedResults.BadRequest(Problems.Of(StatusCodes.Status400BadRequest, "bad duration", $"for '{@for}' must be a duration from 1s to {Duration.Format(MaxSpan)}, e.g. 5m"));
            }

            span = parsed;
        }

        if (poller.Sessions is not { } sessions)
        {
            return TypedResults.NotFound(Problems.Of(StatusCodes.Status404NotFound, "no session history", $"sessions of '{target}' are not sampled (sessionHistory.enabled is false)"));
        }

        var answer = await HistoryQueries.MomentAsync(store, target, moment, span, HistoryQueries.Tolerance(sessions.Interval), sessions, cancellationToken).ConfigureAwait(false);
        return answer is not null
            ? TypedResults.Ok(answer)
            : TypedResults.NotFound(Problems.Of(StatusCodes.Status404NotFound, "no sample", $"no session sample of '{target}' near {moment:yyyy-MM-ddTHH:mm:ssZ}: {await HistoryQueries.CoverageAsync(store, target, sessions, cancellationToken).ConfigureAwait(false)}"));
    }

    private static async Task<Results<Ok<CapacityHistory>, NotFound<ProblemDetails>, BadRequest<ProblemDetails>>> GetCapacityAsync(
        string target, int? days, MonitorState state, IHistoryStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        if (state.Get(target) is null)
        {
            return TypedResults.NotFound(Problems.UnknownTarget(target));
        }

        if (days is < 1 or > 90)
        {
            return TypedResults.BadRequest(Problems.Of(StatusCodes.Status400BadRequest, "bad days", $"days must be from 1 to 90 (was {days})"));
        }

        var now = time.GetUtcNow();
        return TypedResults.Ok(await HistoryQueries.CapacityAsync(store, target, now - TimeSpan.FromDays(days ?? 7), now, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<Results<Ok<HistoryEvidence>, ProblemHttpResult>> GetEvidenceAsync(
        string target, string? since, PollingService polling, MonitorState state, IHistoryStore store, TimeProvider time, HttpContext http, CancellationToken cancellationToken)
    {
        if (!polling.Pollers.TryGetValue(target, out var poller))
        {
            return NotPolledHere(target, state);
        }

        var now = time.GetUtcNow();
        var from = since is not null && Duration.TryParse(since, out var ago) ? now - ago
            : since is not null && MomentText.TryParse(since, now, out var at) is null ? at
            : now - TimeSpan.FromHours(1);
        var location = $"{http.Request.Scheme}://{http.Request.Host}";
        return TypedResults.Ok(await HistoryQueries.EvidenceAsync(store, poller.Stored(), location, from, now, poller.Slo, poller.Sessions, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>A target unknown (404), or another shard's (409, naming the owner): its live objective and session samples are that instance's.</summary>
    private static ProblemHttpResult NotPolledHere(string target, MonitorState state) =>
        TypedResults.Problem(state.Get(target) is null ? Problems.UnknownTarget(target) : Problems.OtherShard(target, state.Options.Shard));
}

/// <summary>A target's availability objective as of its latest poll; <see cref="Slo"/> is null before the first poll.</summary>
internal sealed record SloView(string Target, string Connection, SloStatus? Slo);
