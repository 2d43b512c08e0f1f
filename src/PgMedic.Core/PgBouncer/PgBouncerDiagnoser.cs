using System.Globalization;
using PgMedic.Core.Common;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Snapshots;

namespace PgMedic.Core.PgBouncer;

/// <summary>
/// Findings about the pool in front of PostgreSQL: clients queued in PgBouncer, a pool saturated while
/// the server still has room, pools that together can exceed the server, <c>max_client_conn</c> close
/// to its limit, and long transactions pinning server connections in transaction mode. Pure.
/// </summary>
public static class PgBouncerDiagnoser
{
    /// <param name="server">The snapshot of the PostgreSQL server behind PgBouncer, or null when it could not be read.</param>
    public static PgBouncerReport Diagnose(PgBouncerSnapshot bouncer, Snapshot? server, PgBouncerOptions options)
    {
        ArgumentNullException.ThrowIfNull(bouncer);
        ArgumentNullException.ThrowIfNull(options);
        var pools = bouncer.Pools.Where(p => p.Database != PgBouncerSnapshot.AdminDatabase).ToList();
        var findings = new List<Finding>();
        findings.AddRange(Waiting(bouncer, pools, server, options));
        if (server is not null)
        {
            findings.AddRange(PoolsExceedServer(bouncer, pools, server));
            findings.AddRange(IdleInTransaction(bouncer, server, options));
        }

        findings.AddRange(MaxClientConn(bouncer, options));
        var ordered = findings.Select((f, i) => (f, i)).OrderByDescending(x => x.f.Severity).ThenBy(x => x.i).Select(x => x.f).ToList();
        return new PgBouncerReport(
            bouncer.Target,
            bouncer.TakenAt,
            bouncer.Version,
            null,
            new PgBouncerSettings(bouncer.PoolMode, bouncer.DefaultPoolSize, bouncer.ReservePoolSize, bouncer.MaxClientConn, bouncer.MaxDbConnections, bouncer.ClientConnections),
            Layers(bouncer, pools, server),
            ordered);
    }

    /// <summary>The report when the admin console could not be read: one critical finding saying why.</summary>
    public static PgBouncerReport Unreachable(string target, string reason) =>
        new(target, null, null, reason, null, [], [
            new Finding(
                PgBouncerFindingCodes.Unreachable,
                Severity.Critical,
                $"PgBouncer's admin console did not answer: {reason}",
                [reason],
                [],
                RunbookStep.InitialAssessment,
                Fix.Say("check that PgBouncer runs (systemctl status pgbouncer) and that this user is in admin_users or stats_users"),
                target),
        ]);

    /// <summary>Adds the PgBouncer findings to a server diagnosis; the status becomes the worst of both.</summary>
    public static DiagnosisReport Attach(DiagnosisReport report, PgBouncerReport bouncer)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(bouncer);
        var findings = report.Findings.Concat(bouncer.Findings)
            .Select((f, i) => (f, i))
            .OrderByDescending(x => x.f.Severity)
            .ThenBy(x => x.i)
            .Select(x => x.f)
            .ToList();
        var status = report.Status == DiagnosisStatus.Unknown ? DiagnosisStatus.Unknown : Diagnoser.StatusOf(findings);
        return report with { Findings = findings, Status = status, PgBouncer = bouncer };
    }

    private static IEnumerable<Finding> Waiting(PgBouncerSnapshot bouncer, List<PgBouncerPool> pools, Snapshot? server, PgBouncerOptions options)
    {
        var freeSlots = server is null ? (int?)null : Usage.From(server).SlotsLeft;
        foreach (var pool in pools.Where(p => p.ClientWaiting > 0).OrderByDescending(p => p.MaxWait))
        {
            var poolSize = bouncer.PoolSizeOf(pool.Database);
            var reserve = bouncer.ReservePoolOf(pool.Database);
            var severity = pool.MaxWait >= options.MaxWaitCritical || pool.ClientWaiting >= options.WaitingCritical ? Severity.Critical : Severity.Warning;
            var waitingClients = bouncer.Clients
                .Where(c => c.Database == pool.Database && c.User == pool.User && c.State.StartsWith("waiting", StringComparison.Ordinal))
                .OrderByDescending(c => c.Wait)
                .ToList();
            var evidence = new List<string>
            {
                Invariant($"pool {pool.Name} ({pool.PoolMode} mode): {pool.ClientActive} client(s) active, {pool.ClientWaiting} waiting, longest wait {Duration.Format(pool.MaxWait)}"),
                Invariant($"server connections: {pool.ServerActive} active, {pool.ServerIdle} idle, {pool.ServerUsed} used, {pool.ServerLogin} logging in; pool size {poolSize} + reserve {reserve}"),
            };
            evidence.AddRange(waitingClients.Take(5).Select(c => Invariant($"waiting {Duration.Format(c.Wait)}: {c.Address ?? "unix"}:{c.Port} {c.ApplicationName ?? string.Empty}").TrimEnd()));
            var saturated = pool.ServerConnections >= poolSize;
            yield return new Finding(
                PgBouncerFindingCodes.ClientsWaiting,
                severity,
                Invariant($"pool {pool.Name}: {pool.ClientWaiting} client(s) waiting in PgBouncer, longest {Duration.Format(pool.MaxWait)}"),
                evidence,
                [],
                RunbookStep.IncreaseConnectionLimits,
                saturated && freeSlots is > 0
                    ? Fix.Say(Invariant($"raise the pool: default_pool_size (or pool_size for {pool.Database}) above {poolSize}, then RELOAD — see {PgBouncerFindingCodes.PoolSaturated}"))
                    : Fix.Run(FixVerb.Diagnose, new FixOptions { ServerTarget = true }, "find what holds the server connections (long queries, idle in transaction)"),
                pool.Name);

            if (saturated && freeSlots is { } free && free > 0)
            {
                var raiseTo = poolSize + Math.Max(1, Math.Min(pool.ClientWaiting, free - 1));
                yield return new Finding(
                    PgBouncerFindingCodes.PoolSaturated,
                    Severity.Warning,
                    Invariant($"pool {pool.Name} is saturated ({pool.ServerConnections}/{poolSize} server connections busy, {pool.ClientWaiting} waiting) while PostgreSQL still has {free} free slot(s)"),
                    [
                        Invariant($"PgBouncer holds {pool.ServerConnections} server connection(s) for {pool.Name}, its pool size is {poolSize}"),
                        Invariant($"PostgreSQL: {free} usable slot(s) free: the limit is PgBouncer's, not the server's"),
                    ],
                    [],
                    RunbookStep.IncreaseConnectionLimits,
                    Fix.Say(Invariant($"in pgbouncer.ini set default_pool_size = {raiseTo} (or pool_size={raiseTo} on the {pool.Database} line), then RELOAD in the admin console; check with advise")),
                    pool.Name);
            }
        }
    }

    private static IEnumerable<Finding> PoolsExceedServer(PgBouncerSnapshot bouncer, List<PgBouncerPool> pools, Snapshot server)
    {
        if (pools.Count == 0)
        {
            yield break;
        }

        var bouncerPids = bouncer.Servers.Select(s => s.RemotePid).OfType<int>().ToHashSet();
        var others = server.ClientBackends.Count(s => !bouncerPids.Contains(s.Pid));
        var usable = server.Server.UsableSlots;
        var room = Math.Max(0, usable - others);
        var perDatabase = pools.GroupBy(p => p.Database).Select(g =>
        {
            var each = bouncer.PoolSizeOf(g.Key) + bouncer.ReservePoolOf(g.Key);
            var uncapped = each * g.Count();
            var dbCap = bouncer.Databases.FirstOrDefault(d => d.Name == g.Key)?.MaxConnections is > 0 and var c ? c : bouncer.MaxDbConnections;
            var capped = dbCap > 0 ? Math.Min(uncapped, dbCap) : uncapped;
            return (Database: g.Key, Pools: g.Count(), Each: each, Possible: capped, Cap: dbCap);
        }).ToList();
        var possible = perDatabase.Sum(d => d.Possible);
        if (possible <= room)
        {
            yield break;
        }

        var evidence = perDatabase.Select(d => Invariant($"{d.Database}: {d.Pools} pool(s) × (pool size + reserve) {d.Each} = {d.Pools * d.Each}{(d.Cap > 0 ? $", capped by max_db_connections {d.Cap}" : string.Empty)}")).ToList();
        evidence.Add(Invariant($"PostgreSQL: {usable} usable slots − {others} connection(s) not from PgBouncer = {room}"));
        var perPool = Math.Max(1, room / pools.Count);
        yield return new Finding(
            PgBouncerFindingCodes.PoolsExceedServer,
            Severity.Warning,
            Invariant($"PgBouncer's pools can open {possible} server connections but PostgreSQL has room for {room}: at full load the server, not PgBouncer, refuses ('too many clients')"),
            evidence,
            [],
            RunbookStep.IncreaseConnectionLimits,
            Fix.Run(FixVerb.Advise, new FixOptions { Workers = true, Emit = "pgbouncer" }, Invariant($"cap PgBouncer below the server: max_db_connections = {room} (or default_pool_size = {perPool} for {pools.Count} pool(s)); advise computes the section")));
    }

    private static IEnumerable<Finding> MaxClientConn(PgBouncerSnapshot bouncer, PgBouncerOptions options)
    {
        var clients = bouncer.ClientConnections;
        var limit = bouncer.MaxClientConn;
        if (limit <= 0)
        {
            yield break;
        }

        var percent = clients * 100.0 / limit;
        if (percent < options.MaxClientConnWarningPercent)
        {
            yield break;
        }

        yield return new Finding(
            PgBouncerFindingCodes.MaxClientConn,
            percent >= 95 ? Severity.Critical : Severity.Warning,
            Invariant($"{clients} of max_client_conn {limit} client connections ({percent:0.#} %): new clients soon get 'no more connections allowed (max_client_conn)'"),
            [Invariant($"{clients} client connection(s) to PgBouncer (admin console not counted); max_client_conn {limit}")],
            [],
            RunbookStep.IncreaseConnectionLimits,
            Fix.Say(Invariant($"raise max_client_conn (client connections are cheap; server connections are not) to {Math.Max(limit * 2, clients + 50)}, and check the application's pools for leaks (logs, diagnose)")));
    }

    private static IEnumerable<Finding> IdleInTransaction(PgBouncerSnapshot bouncer, Snapshot server, PgBouncerOptions options)
    {
        var sessions = server.ClientBackends.ToDictionary(s => s.Pid);
        var poolModes = bouncer.Pools.ToDictionary(p => (p.Database, p.User), p => p.PoolMode);
        var stuck = bouncer.Servers
            .Where(s => s.RemotePid is { } pid && sessions.ContainsKey(pid))
            .Select(s => (Server: s, Session: sessions[s.RemotePid!.Value]))
            .Where(x => SessionStates.IsIdleInTransaction(x.Session.State) && x.Session.StateAge(server.TakenAt) >= options.IdleInTransactionWarning)
            .Where(x => (poolModes.GetValueOrDefault((x.Server.Database, x.Server.User)) ?? bouncer.PoolMode) == "transaction")
            .OrderByDescending(x => x.Session.StateAge(server.TakenAt))
            .ToList();
        foreach (var group in stuck.GroupBy(x => $"{x.Server.Database}/{x.Server.User}"))
        {
            var list = group.ToList();
            var oldest = list[0].Session.StateAge(server.TakenAt) ?? TimeSpan.Zero;
            yield return new Finding(
                PgBouncerFindingCodes.IdleInTransaction,
                oldest >= options.IdleInTransactionWarning * 10 ? Severity.Critical : Severity.Warning,
                Invariant($"pool {group.Key}: {list.Count} server connection(s) idle in a transaction, longest {Duration.Format(oldest)}: in transaction mode each is pinned to one client and lost to the pool"),
                list.Take(5).Select(x => Invariant($"backend pid {x.Session.Pid} ({x.Server.Address}:{x.Server.Port} → PgBouncer) idle in transaction for {Duration.Format(x.Session.StateAge(server.TakenAt) ?? TimeSpan.Zero)}; last query: {OneLine(x.Session.Query)}")).ToList(),
                list.Select(x => x.Session.Pid).ToList(),
                RunbookStep.IdentifyConnectionLeaks,
                Fix.Run(
                    FixVerb.Terminate,
                    new FixOptions { State = "idle-in-transaction", IdleFor = Duration.Format(options.IdleInTransactionWarning) },
                    Invariant($"and set idle_transaction_timeout = {Math.Max(10, (int)options.IdleInTransactionWarning.TotalSeconds * 2)} in pgbouncer.ini (and idle_in_transaction_session_timeout on the server)")),
                group.Key);
        }
    }

    private static List<PoolLayers> Layers(PgBouncerSnapshot bouncer, List<PgBouncerPool> pools, Snapshot? server)
    {
        var sessions = server?.ClientBackends.ToDictionary(s => s.Pid) ?? [];
        return pools.Select(p =>
        {
            var states = bouncer.Servers
                .Where(s => s.Database == p.Database && s.User == p.User && s.RemotePid is { } pid && sessions.ContainsKey(pid))
                .GroupBy(s => sessions[s.RemotePid!.Value].State ?? SessionStates.Hidden)
                .OrderByDescending(g => g.Count())
                .ToDictionary(g => g.Key, g => g.Count());
            return new PoolLayers(p.Database, p.User, p.PoolMode, bouncer.PoolSizeOf(p.Database), p.ClientActive, p.ClientWaiting, Math.Round(p.MaxWait.TotalSeconds, 3), p.ServerActive, p.ServerIdle, p.ServerUsed, p.ServerLogin, states);
        }).ToList();
    }

    private static string OneLine(string? query)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            return "(query hidden)";
        }

        var text = string.Join(' ', query.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        return text.Length <= 80 ? text : text[..79] + "…";
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
