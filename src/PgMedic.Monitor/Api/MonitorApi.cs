using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using PgMedic.Core.Alerts;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Probing;
using PgMedic.Core.Snapshots;
using PgMedic.Core.Statements;
using PgMedic.Monitor.History;
using PgMedic.Monitor.Polling;
using PgMedic.Postgres.Statements;

namespace PgMedic.Monitor.Api;

/// <summary>The read-only JSON API: targets, the current snapshot, history ranges, alerts and incidents (docs/commands/serve.md).</summary>
internal static class MonitorApi
{
    public static IEndpointRouteBuilder MapMonitorApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/targets", async (MonitorState state, IHistoryStore store, TimeProvider time, CancellationToken cancellationToken) =>
        {
            var views = new List<TargetView>();
            foreach (var s in state.All)
            {
                views.Add(await ViewAsync(s, state, store, time, cancellationToken).ConfigureAwait(false));
            }

            return TypedResults.Ok<IReadOnlyList<TargetView>>(views);
        });
        api.MapGet("/targets/{target}", async Task<Results<Ok<TargetView>, NotFound<ProblemDetails>>> (string target, MonitorState state, IHistoryStore store, TimeProvider time, CancellationToken cancellationToken) =>
            state.Get(target) is { } s ? TypedResults.Ok(await ViewAsync(s, state, store, time, cancellationToken).ConfigureAwait(false)) : TypedResults.NotFound(Problems.UnknownTarget(target)));
        api.MapGet("/targets/{target}/snapshot", Results<Ok<SnapshotView>, NotFound<ProblemDetails>> (string target, MonitorState state) =>
            state.Get(target) is { } s ? TypedResults.Ok(Snapshot(s)) : TypedResults.NotFound(Problems.UnknownTarget(target)));
        api.MapGet("/targets/{target}/history", GetHistoryAsync);
        api.MapGet("/targets/{target}/slow-queries", GetSlowQueriesAsync);
        api.MapGet("/alerts", async (IHistoryStore store, string? target, CancellationToken cancellationToken) =>
            TypedResults.Ok<IReadOnlyList<AlertView>>((await store.ActiveAlertsAsync(target, cancellationToken).ConfigureAwait(false)).Select(AlertView.From).ToList()));
        api.MapGet("/alerts/events", async (IHistoryStore store, TimeProvider time, string? target, string? since, int? limit, CancellationToken cancellationToken) =>
            TypedResults.Ok<IReadOnlyList<AlertEventView>>((await store.AlertEventsAsync(target, Since(since, time, TimeSpan.FromDays(1)), Math.Clamp(limit ?? 200, 1, 5000), cancellationToken).ConfigureAwait(false))
                .Select(AlertEventView.From).ToList()));
        api.MapGet("/incidents", async (IHistoryStore store, string? target, int? limit, CancellationToken cancellationToken) =>
            TypedResults.Ok<IReadOnlyList<IncidentSummary>>((await store.IncidentsAsync(target, Math.Clamp(limit ?? 100, 1, 1000), cancellationToken).ConfigureAwait(false))
                .Select(i => new IncidentSummary(i.Id, i.Target, i.EventId, i.Rule, HistoryNames.SeverityName(i.Severity), i.At, i.Summary)).ToList()));
        api.MapGet("/incidents/{id:long}", async Task<Results<Ok<IncidentView>, NotFound<ProblemDetails>>> (long id, IHistoryStore store, CancellationToken cancellationToken) =>
            await store.IncidentAsync(id, cancellationToken).ConfigureAwait(false) is { Body: { } body } i
                ? TypedResults.Ok(new IncidentView(id, i.Target, i.EventId, i.Rule, HistoryNames.SeverityName(i.Severity), i.At, i.Summary, body))
                : TypedResults.NotFound(Problems.Of(StatusCodes.Status404NotFound, "unknown incident", $"no incident {id}")));
        return app;
    }

    /// <summary>
    /// A target this instance polls, from its latest poll; another shard's, from the latest sample and the active
    /// alerts its owner wrote to the shared history (a PostgreSQL <c>history.connection</c>) — with a SQLite
    /// history, which only this instance writes, such a target shows as not polled (<c>polledAt</c> null).
    /// </summary>
    private static async Task<TargetView> ViewAsync(TargetStatus s, MonitorState state, IHistoryStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        if (state.Owns(s.Target.Name))
        {
            return View(s, state.Options);
        }

        var now = time.GetUtcNow();
        var latest = (await store.SamplesAsync(s.Target.Name, now - TimeSpan.FromHours(1), now, 1, cancellationToken).ConfigureAwait(false)).LastOrDefault();
        if (latest is null)
        {
            return View(s, state.Options);
        }

        var alerts = await store.ActiveAlertsAsync(s.Target.Name, cancellationToken).ConfigureAwait(false);
        var usage = latest.Collected
            ? new Usage(latest.ClientBackends, latest.UsableSlots, latest.MaxConnections, latest.PercentUsed, latest.UsableSlots - latest.ClientBackends, latest.ByState, 0)
            {
                ClientBackendsMin = latest.ClientBackendsMin ?? latest.ClientBackends,
                PercentOfUsableMin = latest.PercentUsed,
            }
            : null;
        var worst = latest.Findings.Select(f => f.Severity).DefaultIfEmpty(Severity.Info).Max();
        var status = !latest.ProbeSucceeded || worst == Severity.Critical ? "critical" : !latest.Collected ? "stale" : worst == Severity.Warning ? "warning" : "ok";
        return View(s, state.Options) with
        {
            Status = status,
            Database = latest.ProbeSucceeded ? "connected" : "disconnected",
            PolledAt = latest.At,
            Usage = UsageView.From(usage),
            Probe = new ProbeView(latest.ProbeSucceeded ? "accepting" : "failed", latest.ProbeReason, null, null, null, latest.ProbeLatencyMilliseconds),
            FiringAlerts = alerts.Count(a => a.State == AlertState.Firing),
            Stale = !latest.Collected,
            FreshAt = latest.Collected ? latest.At : null,
        };
    }

    internal static TargetView View(TargetStatus s, Configuration.MonitorOptions options) => new(
        s.Target.Name,
        s.Target.Masked,
        s.Stale && s.DatabaseConnected ? "stale" : s.Report is { } r ? r.Status.ToString().ToLowerInvariant() : "unknown",
        s.DatabaseConnected ? "connected" : "disconnected",
        s.LifelineConnected,
        s.PolledAt,
        UsageView.From(s.Report?.Usage),
        s.Probe is { } p ? new ProbeView(ProbeOutcomeName.Of(p.Outcome), p.Reason, p.Message, p.ConnectMilliseconds, p.QueryMilliseconds, s.Sample?.ProbeLatencyMilliseconds) : null,
        s.Alerts.Count(a => a.State == AlertState.Firing),
        options.PollInterval.TotalMilliseconds,
        FailureRatesView.From(s.Failures, s.Target.Alerts.DatabaseConnectionFailure.Ratio),
        s.Stale,
        s.FreshAt,
        (s.Target.Poll ?? options.Poll) == Configuration.PollMode.Scrape ? "scrape" : "interval",
        s.Target.SourceFile,
        OwnerView.Of(s.Target.Name, options.Shard));

    private static SnapshotView Snapshot(TargetStatus s)
    {
        var snapshot = s.Snapshot;
        var report = s.Report;
        var now = snapshot?.TakenAt ?? DateTimeOffset.MinValue;
        var clients = snapshot?.ClientBackends.ToList() ?? [];
        var leakSuspects = (report?.Findings ?? [])
            .Where(f => f.Code == FindingCodes.IdleConnectionHoarding && f.Subject is not null)
            .Select(f => Suspect(f.Subject!, report!, "idle-connection-hoarding", f.Summary))
            .Concat(s.Alerts.Where(a => a.Key.Rule == AlertNames.LeakGrowth && a.State == AlertState.Firing)
                .Select(a => Suspect(a.Key.Subject, report, "leak-growth", a.Summary)))
            .GroupBy(l => l.Application, StringComparer.Ordinal)
            .Select(g => g.First())
            .ToList();
        return new SnapshotView(
            s.Target.Name,
            snapshot?.TakenAt,
            report is { } r ? r.Status.ToString().ToLowerInvariant() : "unknown",
            UsageView.From(report?.Usage),
            report?.Groups?.ByApplication ?? [],
            report?.Findings ?? [],
            clients.Where(c => SessionStates.IsIdleInTransaction(c.State)).OrderByDescending(c => c.StateAge(now)).Select(c => SessionView.From(c, now)).ToList(),
            clients.Where(c => c.State == SessionStates.Active).OrderByDescending(c => c.QueryAge(now)).Take(20).Select(c => SessionView.From(c, now)).ToList(),
            snapshot is null ? [] : ChainView.From(snapshot),
            leakSuspects,
            report?.Pools ?? [],
            s.Alerts.Select(AlertView.From).ToList());
    }

    private static LeakSuspectView Suspect(string application, DiagnosisReport? report, string source, string summary)
    {
        var group = report?.Groups?.ByApplication.FirstOrDefault(g => g.Name == application);
        return new LeakSuspectView(application, group?.Idle ?? 0, group?.Total ?? 0, source, summary);
    }

    private static async Task<Results<Ok<HistoryView>, NotFound<ProblemDetails>>> GetHistoryAsync(string target, MonitorState state, IHistoryStore store, TimeProvider time, string? since, int? limit, CancellationToken cancellationToken)
    {
        if (state.Get(target) is not { } status)
        {
            return TypedResults.NotFound(Problems.UnknownTarget(target));
        }

        var to = time.GetUtcNow();
        var from = Since(since, time, TimeSpan.FromMinutes(15));
        var samples = await store.SamplesAsync(target, from, to, Math.Clamp(limit ?? 2000, 1, 20000), cancellationToken).ConfigureAwait(false);
        var window = status.Target.Alerts.DatabaseConnectionFailure.Window;
        var points = new List<HistoryPoint>(samples.Count);
        var start = 0;
        var failures = 0;
        for (var i = 0; i < samples.Count; i++)
        {
            var sample = samples[i];
            failures += sample.ProbeSucceeded ? 0 : 1;
            while (samples[start].At <= sample.At - window)
            {
                failures -= samples[start].ProbeSucceeded ? 0 : 1;
                start++;
            }

            var byState = sample.ByState;
            var active = byState.GetValueOrDefault(SessionStates.Active);
            var idle = byState.GetValueOrDefault(SessionStates.Idle);
            var iit = byState.GetValueOrDefault(SessionStates.IdleInTransaction) + byState.GetValueOrDefault(SessionStates.IdleInTransactionAborted);
            points.Add(new HistoryPoint(
                sample.At,
                sample.ClientBackends,
                sample.UsableSlots,
                sample.PercentUsed,
                active,
                idle,
                iit,
                sample.ClientBackends - active - idle - iit,
                sample.Collected,
                sample.ProbeSucceeded,
                sample.ProbeLatencyMilliseconds,
                Math.Round((double)failures / (i - start + 1), 4),
                sample.ApplicationFailureRatio));
        }

        return TypedResults.Ok(new HistoryView(target, from, to, window.TotalSeconds, points));
    }

    /// <summary>
    /// pg_stat_statements over the lifeline, read at most every 30 s per target (it is not free): the
    /// application's statements, without PgMedic's own polling and the drivers' housekeeping.
    /// </summary>
    private static async Task<Results<Ok<SlowQueriesView>, ProblemHttpResult>> GetSlowQueriesAsync(string target, MonitorState state, PollingService polling, SlowQueryCache cache, TimeProvider time, CancellationToken cancellationToken)
    {
        if (state.Get(target) is not { } status || !polling.Pollers.TryGetValue(target, out var poller))
        {
            return TypedResults.Problem(state.Get(target) is null ? Problems.UnknownTarget(target) : Problems.OtherShard(target, state.Options.Shard));
        }

        var now = time.GetUtcNow();
        if (cache.Entries.TryGetValue(target, out var cached) && now - cached.At < TimeSpan.FromSeconds(30))
        {
            return TypedResults.Ok(cached.View);
        }

        var (report, failure) = await poller.Lifeline.UseAsync(
            connection => StatementsReader.ReadAsync(connection, status.Target.Masked, StatementOrder.Mean, 10, false, false, state.Options.Timeout, cancellationToken),
            cancellationToken).ConfigureAwait(false);
        var view = new SlowQueriesView(target, report, failure is null ? null : $"{failure.Reason}: {failure.Message}");
        cache.Entries[target] = (now, view);
        return TypedResults.Ok(view);
    }

    private static DateTimeOffset Since(string? since, TimeProvider time, TimeSpan fallback)
    {
        if (since is not null && Core.Common.Duration.TryParse(since, out var ago))
        {
            return time.GetUtcNow() - ago;
        }

        return since is not null && DateTimeOffset.TryParse(since, System.Globalization.CultureInfo.InvariantCulture, out var at) ? at : time.GetUtcNow() - fallback;
    }
}

/// <summary>The last pg_stat_statements reading per target.</summary>
internal sealed class SlowQueryCache
{
    public ConcurrentDictionary<string, (DateTimeOffset At, SlowQueriesView View)> Entries { get; } = new(StringComparer.Ordinal);
}
