using PgMedic.Core.Diagnosis.Rules;

namespace PgMedic.Core.Diagnosis;

/// <summary>Where in the application a connection was checked out (PgMedic.Guard records it for free).</summary>
public sealed record AppCallSite(string File, int Line, string Member)
{
    public override string ToString() => $"{Path.GetFileName(File)}:{Line} ({Member})";
}

/// <summary>One connection checked out of an application's PgMedic.Guard pool, with its server PID.</summary>
public sealed record AppHolder(string Service, int BackendPid, AppCallSite CallSite, double AgeSeconds, bool Leaked)
{
    /// <summary>The session's transaction state as the client library sees it (idle in transaction, …), when it says.</summary>
    public string? State { get; init; }
}

/// <summary>
/// What a service's <c>/health/pool</c> said (docs/schemas/pool-endpoint.schema.json), or why it could not
/// be read. A number the pool cannot know (SQLAlchemy's QueuePool counts no waiters) is null.
/// </summary>
public sealed record AppPool(
    string Endpoint,
    string? Name,
    int? PoolSize,
    int? MaxConnections,
    int CheckedOut,
    int? Idle,
    int? Waiting,
    long Timeouts,
    long Leaks,
    IReadOnlyList<AppHolder> Holders,
    string? Error)
{
    public static AppPool Unreadable(string endpoint, string error) => new(endpoint, null, 0, 0, 0, 0, 0, 0, 0, [], error);

    /// <summary>Checked out beyond the pool size; null when the pool has no size.</summary>
    public int? Overflow { get; init; }

    /// <summary>Checkouts since the process started, when the endpoint says.</summary>
    public long? Checkouts { get; init; }

    /// <summary>Connection attempts the server refused or that failed, when the endpoint says.</summary>
    public long? ConnectFailures { get; init; }

    /// <summary>The service process that answered: <c>pid@hostname</c>, when the endpoint says (pre-fork workers differ).</summary>
    public string? Process { get; init; }

    /// <summary>
    /// The counters of each service process behind this document: the document's own, or each worker's
    /// in an aggregated one (whose summed pool would look like a reset whenever a worker exits). Empty
    /// when the endpoint could not be read or reports no checkout count.
    /// </summary>
    public IReadOnlyList<PoolInstance> Instances { get; init; } = [];
}

/// <summary>
/// One service process's failure counters, since its statistics started: checkouts handed out, checkouts
/// that timed out waiting for the pool, and new connections that could not be opened.
/// </summary>
/// <param name="Process"><c>pid@hostname</c> from the document's <c>process</c>; the endpoint when the document names none.</param>
/// <param name="Pool">The pool's name: one process may serve several pools.</param>
/// <param name="ConnectFailures">0 when the document does not count them (an implementation that predates the field).</param>
/// <param name="StartedAt">When its counters started (<c>process.startedAt</c>); a change is a restart even when no counter fell.</param>
public sealed record PoolInstance(string Process, string? Pool, long Checkouts, long Timeouts, long ConnectFailures, DateTimeOffset? StartedAt)
{
    /// <summary>Checkout attempts: handed out, timed out, or failed to connect (each attempt ends in exactly one).</summary>
    public long Attempts => Checkouts + Timeouts + ConnectFailures;

    public long Failures => Timeouts + ConnectFailures;
}

/// <summary>
/// Joins application-side holders to server sessions by backend PID, so a finding about idle or
/// idle-in-transaction sessions names the file, line and method that holds each of them — what
/// neither the server nor the pool can say alone. Only a finding's <see cref="Finding.CallSitePids"/>
/// are joined when it names them: a lock chain's call site is its head's, never a waiter's.
/// </summary>
public static class HolderJoin
{
    public static IReadOnlyList<Finding> Annotate(IReadOnlyList<Finding> findings, IReadOnlyList<AppPool> pools)
    {
        ArgumentNullException.ThrowIfNull(findings);
        ArgumentNullException.ThrowIfNull(pools);
        var byPid = pools.SelectMany(p => p.Holders).Where(h => h.BackendPid > 0).GroupBy(h => h.BackendPid).ToDictionary(g => g.Key, g => g.First());
        if (byPid.Count == 0)
        {
            return findings;
        }

        return findings.Select(finding =>
        {
            var holders = (finding.CallSitePids ?? finding.Pids).Where(byPid.ContainsKey).Select(pid => byPid[pid]).ToList();
            if (holders.Count == 0)
            {
                return finding;
            }

            var sites = holders.GroupBy(h => (h.Service, h.CallSite))
                .OrderByDescending(g => g.Count())
                .Select(g => $"{g.Count()} held by {g.Key.Service} at {g.Key.CallSite}, oldest checked out {g.Max(h => h.AgeSeconds):0}s ago{(g.Any(h => h.Leaked) ? " (reported as leaked)" : string.Empty)}; pids {string.Join(", ", g.Select(h => h.BackendPid).Take(10))}")
                .ToList();
            var top = holders.GroupBy(h => h.CallSite).OrderByDescending(g => g.Count()).First();
            return finding with
            {
                Summary = $"{finding.Summary} — held at {top.Key}",
                Evidence = [.. finding.Evidence, .. sites],
                Holders = holders,
            };
        }).ToList();
    }

    /// <summary>
    /// The leaks the services themselves report (held past their leak threshold) that no server-side finding
    /// explains yet: one connection checked out and forgotten is too few for the hoarding rule, but its pool
    /// knows. One warning per call site, naming exactly its backend PIDs.
    /// </summary>
    private const string LeakAdvice = "make the code at that call site return its connection (a using block, a context manager); until then terminating the session frees its slot";

    public static IReadOnlyList<Finding> WithReportedLeaks(IReadOnlyList<Finding> findings, IReadOnlyList<AppPool> pools, IReadOnlyCollection<int> clientBackendPids)
    {
        ArgumentNullException.ThrowIfNull(findings);
        ArgumentNullException.ThrowIfNull(pools);
        ArgumentNullException.ThrowIfNull(clientBackendPids);
        var explained = findings.SelectMany(f => f.Pids).ToHashSet();
        var leaks = pools.SelectMany(p => p.Holders)
            .Where(h => h.Leaked && h.BackendPid > 0 && clientBackendPids.Contains(h.BackendPid) && !explained.Contains(h.BackendPid))
            .GroupBy(h => (h.Service, h.CallSite))
            .OrderByDescending(g => g.Max(h => h.AgeSeconds))
            .Select(g =>
            {
                var holders = g.OrderByDescending(h => h.AgeSeconds).ToList();
                var pids = holders.Select(h => h.BackendPid).ToList();
                var states = holders.Select(h => h.State).OfType<string>().Distinct().ToList();
                return new Finding(
                    FindingCodes.ApplicationLeak,
                    Severity.Warning,
                    $"leak reported by {g.Key.Service}: {holders.Count} connection(s) checked out at {g.Key.CallSite} past its leak threshold, oldest {Text.Age(TimeSpan.FromSeconds(holders[0].AgeSeconds))}",
                    [
                        $"pids: {Text.Pids(pids)}",
                        states.Count == 0 ? "state: not reported by the pool" : $"state: {string.Join(", ", states)}",
                        "the code at that call site never returned the connection to its pool",
                    ],
                    pids,
                    RunbookStep.IdentifyConnectionLeaks,
                    pids.Count == 1
                        ? Fix.Run(FixVerb.Terminate, new FixOptions { Pid = pids[0] }, LeakAdvice)
                        : Fix.Say($"{LeakAdvice}; terminate PIDs {Text.Pids(pids)} to free their slots now"),
                    g.Key.Service)
                {
                    Holders = holders,
                };
            })
            .ToList();
        return leaks.Count == 0 ? findings : [.. findings, .. leaks];
    }
}
