using System.Globalization;
using PgMedic.Core.Common;

namespace PgMedic.Core.Capacity;

/// <summary>
/// Runbook step 2 ("Increase Connection Limits") and "Update database capacity planning" computed
/// instead of guessed: from the server's usable slots and what it was seen doing, and the shape of
/// the deployment (workers × (pool size + overflow)). Pure: the same input gives the same advice.
/// </summary>
public static class CapacityAdvisor
{
    /// <summary>HikariCP's pool-sizing page (attributing it to the PostgreSQL wiki): about cores × 2 connections keep a server busy.</summary>
    public const int ActivePerCore = 2;

    /// <summary>Share of usable slots kept free for people and tools (psql, migrations, monitoring, PgMedic).</summary>
    public const double AdminHeadroomShare = 0.10;

    public const int MinAdminHeadroom = 2;

    public const int MaxAdminHeadroom = 20;

    /// <summary>A trend that fills the usable slots within this many days is a warning (exit 1).</summary>
    public const double RunOutWarningDays = 30;

    /// <param name="history">Days of the monitor's samples (<c>advise --history</c>): the reasoning starts from their peaks and trend, and the pool is sized from what the application used at its busiest.</param>
    public static CapacityAdvice Advise(DeploymentShape shape, ServerObservation observed, CapacityHistory? history = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(observed);
        var reasoning = new List<string>();
        var server = observed.Server;
        if (history is not null)
        {
            HistoryLines(history, shape, reasoning);
        }

        var usable = server.UsableSlots;
        var headroom = Math.Min(usable, Math.Clamp((int)Math.Ceiling(usable * AdminHeadroomShare), MinAdminHeadroom, MaxAdminHeadroom));
        var forDeployment = Math.Max(0, usable - headroom - observed.OtherClients);
        var slots = new SlotBudget(server.MaxConnections, server.SuperuserReservedConnections, server.ReservedConnections, usable, headroom, observed.OtherClients, forDeployment);
        reasoning.Add(Line($"usable slots = max_connections {server.MaxConnections} − superuser_reserved_connections {server.SuperuserReservedConnections} − reserved_connections {server.ReservedConnections} = {usable}"));
        reasoning.Add(Line($"keep {headroom} free for psql, migrations, monitoring and PgMedic (10 % of usable, at least {MinAdminHeadroom}, at most {MaxAdminHeadroom})"));
        if (observed.OtherClients > 0)
        {
            reasoning.Add(Line($"{observed.OtherClients} connection(s) of other applications were seen; they keep theirs"));
        }

        reasoning.Add(Line($"left for the deployment's pools: {usable} − {headroom} − {observed.OtherClients} = {forDeployment}"));

        var demand = new DeploymentDemand(
            shape.Workers,
            shape.EffectivePoolSize,
            shape.EffectiveMaxOverflow,
            shape.PoolSize is null || shape.MaxOverflow is null,
            shape.Workers * (shape.EffectivePoolSize + shape.EffectiveMaxOverflow));
        var canExhaust = demand.MaxConnections > forDeployment;
        reasoning.Add(Line($"the pools can open {shape.Workers} workers × (pool {demand.PoolSize} + overflow {demand.MaxOverflow}) = {demand.MaxConnections}{(demand.PoolSizeAssumed ? " (SQLAlchemy's defaults 5 + 10 where not given)" : string.Empty)}"));
        reasoning.Add(canExhaust
            ? Line($"{demand.MaxConnections} > {forDeployment}: at full load the pools exhaust the server (\"sorry, too many clients already\") by {demand.MaxConnections - forDeployment}")
            : Line($"{demand.MaxConnections} ≤ {forDeployment}: the pools cannot exhaust the server ({forDeployment - demand.MaxConnections} to spare)"));

        var pool = PoolFor(shape, observed, forDeployment, reasoning, shape.Application is { } app ? history?.Of(app) : null);
        var pooler = PoolerFor(demand, forDeployment, canExhaust, pool, reasoning);
        var settings = ServerSettings(observed, pool).ToList();

        return new CapacityAdvice(
            canExhaust,
            slots,
            demand,
            pool,
            pooler,
            settings,
            new ObservedLoad(observed.PeakClients, observed.PeakActive, observed.IdleInTransaction, observed.IdleRatio, observed.Source),
            reasoning)
        {
            History = history,
        };
    }

    /// <summary>The history's numbers, first: the peaks, the busiest hour, and when the trend runs out of slots.</summary>
    private static void HistoryLines(CapacityHistory history, DeploymentShape shape, List<string> reasoning)
    {
        var days = (history.To - history.From).TotalDays;
        reasoning.Add(Line($"observed over {days:0.#} days ({history.Samples} samples of the monitor): peak {history.Peak} client connections at {history.PeakAt:yyyy-MM-dd HH:mm} UTC, 99th percentile {history.P99:0.#}, of {history.UsableSlots} usable slots"));
        if (history.ByHour.Count > 0)
        {
            var busiest = history.ByHour.MaxBy(h => h.P99)!;
            reasoning.Add(Line($"busiest hour of the day: {busiest.HourUtc:00}:00 UTC (peak {busiest.Peak}, 99th percentile {busiest.P99:0.#}); quietest: {history.ByHour.MinBy(h => h.P99)!.HourUtc:00}:00 UTC"));
        }

        foreach (var app in history.ByApplication.Take(5))
        {
            reasoning.Add(Line($"{app.Application}: peak {app.Peak} held ({app.PeakBusy} busy at once), 99th percentile {app.P99:0.#} held ({app.P99Busy:0.#} busy){(app.Application == shape.Application ? " — the deployment" : string.Empty)}"));
        }

        reasoning.Add(history.Trend switch
        {
            null => Line($"no trend: fewer than {CapacityHistory.MinTrendDays} days of samples"),
            { DaysUntilFull: { } until, FullAt: { } at } t => Line($"trend: the daily peaks grow by {t.PerDay:0.##} connections a day (now {t.PeakNow:0.#}); at that trend the {history.UsableSlots} usable slots run out in {until:0.#} days, around {at:yyyy-MM-dd}{(until <= RunOutWarningDays ? ": raise max_connections, put PgBouncer in front, or find what grows, before then" : string.Empty)}"),
            var t => Line($"trend: the daily peaks do not grow ({t.PerDay:0.##} connections a day): usable slots do not run out at this trend"),
        });
    }

    private static PoolAdvice PoolFor(DeploymentShape shape, ServerObservation observed, int forDeployment, List<string> reasoning, ApplicationLoad? used)
    {
        var maxPerWorker = forDeployment / shape.Workers;
        var feasible = maxPerWorker >= 1;
        int? activeTarget = shape.Cores is { } cores ? cores * ActivePerCore : null;
        int poolSize;
        if (!feasible)
        {
            poolSize = 1;
            reasoning.Add(Line($"{forDeployment} slots cannot give each of {shape.Workers} workers even one connection: put PgBouncer in front, run fewer workers, or raise max_connections"));
        }
        else if (used is not null && activeTarget is null)
        {
            poolSize = Math.Clamp(Ceiling(Math.Max(1, used.PeakBusy), shape.Workers), 1, maxPerWorker);
            reasoning.Add(Line($"pool size per worker from what {used.Application} used at its busiest: ⌈peak {used.PeakBusy} busy connections / {shape.Workers} workers⌉ = {Ceiling(Math.Max(1, used.PeakBusy), shape.Workers)}, at most {maxPerWorker} ({forDeployment} / {shape.Workers}) → {poolSize}"));
        }
        else if (activeTarget is { } target)
        {
            poolSize = Math.Clamp(Ceiling(target, shape.Workers), 1, maxPerWorker);
            reasoning.Add(Line($"rule of thumb (HikariCP pool-sizing page, after the PostgreSQL wiki): about cores × 2 = {shape.Cores} × 2 = {target} connections keep the server busy; more only queue inside it"));
            reasoning.Add(Line($"pool size per worker = ⌈{target} / {shape.Workers}⌉ = {Ceiling(target, shape.Workers)}, at most {maxPerWorker} ({forDeployment} / {shape.Workers}) → {poolSize}"));
        }
        else
        {
            var fromBudget = Math.Max(1, maxPerWorker * 2 / 3);
            poolSize = Math.Clamp(Math.Min(shape.PoolSize ?? fromBudget, fromBudget), 1, maxPerWorker);
            reasoning.Add(Line($"without a core count the pool is sized from the slots alone: two thirds of the {maxPerWorker} each worker may hold = {fromBudget}{(shape.PoolSize is { } p && p < fromBudget ? $", kept at today's {p}" : string.Empty)} → {poolSize}"));
        }

        if (observed.PeakActive > 0 && feasible)
        {
            reasoning.Add(Line($"observed: {observed.PeakActive} active and {observed.PeakClients} connected ({Percent(observed.IdleRatio)} idle) — {(observed.PeakActive <= shape.Workers * poolSize ? "the recommended pools cover the work seen" : "more work was seen than these pools run at once; requests will queue in the pools, not the server")}"));
        }
        else if (observed.PeakClients > 0)
        {
            reasoning.Add(Line($"observed: {observed.PeakClients} connected, {Percent(observed.IdleRatio)} of them idle"));
        }

        var overflow = feasible ? Math.Max(0, Math.Min(maxPerWorker - poolSize, Ceiling(poolSize, 2))) : 0;
        if (feasible)
        {
            reasoning.Add(Line($"overflow per worker = min(room left {maxPerWorker - poolSize}, half the pool {Ceiling(poolSize, 2)}) = {overflow} (the runbook's 20 + 10 ratio): the pools' sum is {shape.Workers} × {poolSize + overflow} = {shape.Workers * (poolSize + overflow)} ≤ {forDeployment}"));
        }

        var statementTimeout = observed.Timeouts.StatementTimeout;
        var commandTimeout = statementTimeout > TimeSpan.Zero ? Math.Max(1, (int)Math.Ceiling(statementTimeout.TotalSeconds)) : 30;
        var idleSession = observed.Timeouts.IdleSessionTimeout;
        var recycle = idleSession > TimeSpan.Zero && idleSession.TotalSeconds <= 330 ? Math.Max(30, (int)idleSession.TotalSeconds - 30) : 300;
        reasoning.Add(Line($"pool timeout 10 s: a request that waited longer for a connection has usually failed for its caller already, and short waits keep queues from piling up (the runbook's 30 s only hides exhaustion)"));
        reasoning.Add(Line($"recycle connections after {recycle} s{(idleSession > TimeSpan.Zero ? $", before the server's idle_session_timeout {Duration.Format(idleSession)} closes them" : " (the runbook's DATABASE_POOL_RECYCLE)")}; command timeout {commandTimeout} s{(statementTimeout > TimeSpan.Zero ? " = the server's statement_timeout" : " (the runbook's DATABASE_COMMAND_TIMEOUT)")}"));
        return new PoolAdvice(poolSize, overflow, Math.Max(maxPerWorker, 0), activeTarget, 10, recycle, 10, commandTimeout, feasible);
    }

    private static PoolerAdvice PoolerFor(DeploymentDemand demand, int forDeployment, bool canExhaust, PoolAdvice pool, List<string> reasoning)
    {
        var serverPool = Math.Max(1, Math.Min(forDeployment, pool.ActiveTarget ?? Math.Max(1, Math.Min(20, forDeployment * 2 / 3))));
        var reserve = Math.Max(0, Math.Min(5, forDeployment - serverPool));
        var maxClientConn = Math.Max(100, Ceiling(demand.MaxConnections * 11, 10) + 10);
        var recommended = canExhaust || !pool.Feasible;
        if (recommended)
        {
            reasoning.Add(Line($"or keep today's pools and put PgBouncer (pool_mode = transaction) in front: {demand.MaxConnections} client connections share default_pool_size {serverPool} + reserve {reserve} server connections (max_db_connections {Math.Max(1, forDeployment)}); max_client_conn {maxClientConn} leaves 10 % room"));
        }

        return new PoolerAdvice(recommended, "transaction", serverPool, reserve, Math.Max(1, forDeployment), maxClientConn, 30, 60, 600, 3600);
    }

    private static IEnumerable<SettingAdvice> ServerSettings(ServerObservation observed, PoolAdvice pool)
    {
        var timeouts = observed.Timeouts;
        if (timeouts.IdleInTransactionSessionTimeout > TimeSpan.Zero)
        {
            yield return new SettingAdvice("idle_in_transaction_session_timeout", Setting(timeouts.IdleInTransactionSessionTimeout), null, "already on: a transaction left open is ended by the server", null);
        }
        else
        {
            var value = observed.IdleInTransaction > 0 ? "1min" : "5min";
            yield return new SettingAdvice(
                "idle_in_transaction_session_timeout",
                "0",
                value,
                observed.IdleInTransaction > 0
                    ? $"off, and {observed.IdleInTransaction} session(s) sat idle in a transaction when observed: each holds a slot and its locks until someone kills it"
                    : "off: a transaction left open (a leak, a crashed request) would hold its slot and locks forever",
                $"ALTER SYSTEM SET idle_in_transaction_session_timeout = '{value}'; SELECT pg_reload_conf();");
        }

        if (observed.Server.VersionNumber is > 0 and < 140000)
        {
            yield return new SettingAdvice("idle_session_timeout", "n/a", null, "needs PostgreSQL 14 or later", null);
        }
        else if (timeouts.IdleSessionTimeout > TimeSpan.Zero)
        {
            yield return new SettingAdvice("idle_session_timeout", Setting(timeouts.IdleSessionTimeout), null, $"already on; keep it above the pools' recycle time ({pool.PoolRecycleSeconds} s)", null);
        }
        else if (observed.IdleRatio >= 0.5 && observed.PeakClients > 0)
        {
            var minutes = Math.Max(10, Ceiling(pool.PoolRecycleSeconds * 2, 60));
            yield return new SettingAdvice(
                "idle_session_timeout",
                "0",
                $"{minutes}min",
                $"{Percent(observed.IdleRatio)} of connections were idle: the server closes ones nobody uses; {minutes} min is well above the pools' recycle ({pool.PoolRecycleSeconds} s), so healthy pools retire theirs first (use pre-ping). Set it per application role, not for superusers",
                $"ALTER ROLE <app role> SET idle_session_timeout = '{minutes}min';");
        }
        else
        {
            yield return new SettingAdvice("idle_session_timeout", "0", null, $"off; only {Percent(observed.IdleRatio)} of connections were idle, so nothing to reclaim", null);
        }

        if (timeouts.StatementTimeout > TimeSpan.Zero)
        {
            yield return new SettingAdvice("statement_timeout", Setting(timeouts.StatementTimeout), null, "already on: a runaway query cannot hold its connection forever", null);
        }
        else
        {
            yield return new SettingAdvice(
                "statement_timeout",
                "0",
                $"{pool.CommandTimeoutSeconds}s",
                "off: one runaway query holds a pooled connection until it ends; the same limit as the pools' command timeout (the runbook's DATABASE_COMMAND_TIMEOUT=30). Per role, so migrations and admin sessions keep theirs",
                $"ALTER ROLE <app role> SET statement_timeout = '{pool.CommandTimeoutSeconds}s';");
        }
    }

    private static string Setting(TimeSpan value) => Duration.Format(value);

    private static int Ceiling(int value, int divisor) => (value + divisor - 1) / divisor;

    private static string Percent(double ratio) => (ratio * 100).ToString("0", CultureInfo.InvariantCulture) + " %";

    private static string Line(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
