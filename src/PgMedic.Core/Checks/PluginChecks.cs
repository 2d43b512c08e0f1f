using System.Globalization;
using System.Text;
using PgMedic.Core.Common;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Probing;
using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Checks;

/// <summary>The <c>pgmedic check</c> plugins: pure functions from a snapshot and thresholds to a result.</summary>
public static class PluginChecks
{
    /// <summary>
    /// Client backends against the thresholds. When the role cannot see every session's type the count is a
    /// range, and the verdict is the one every count in it shares — else UNKNOWN, with why and the grant
    /// that removes the doubt: never OK on sessions it could not see.
    /// </summary>
    public static PluginResult Connections(Snapshot snapshot, ConnectionThreshold warning, ConnectionThreshold critical)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(warning);
        ArgumentNullException.ThrowIfNull(critical);
        var usage = Usage.From(snapshot);
        var warn = warning.AsConnections(usage.UsableSlots);
        var crit = critical.AsConnections(usage.UsableSlots);
        if (crit < warn)
        {
            // Two kinds (80% and -5, say) can only be ordered once the usable slots are known.
            return new PluginResult("POSTGRES_CONNECTIONS", ExitCode.Unknown, $"critical {critical} is {Number(crit)} connections and warning {warning} is {Number(warn)} of {usage.UsableSlots} usable slots: warning must come first", []);
        }

        var best = PluginResult.Compare(usage.ClientBackendsMin, warn, crit);
        var worst = PluginResult.Compare(usage.ClientBackends, warn, crit);
        var status = best == worst ? worst : ExitCode.Unknown;
        var text = new StringBuilder($"{usage.InUse()} of {usage.UsableSlots} usable slots in use ({usage.Percentage()}%), {usage.Left()} left");
        if (!usage.Exact)
        {
            text.Append(CultureInfo.InvariantCulture, $"; this role cannot see whether {usage.UnclassifiedSessions} session(s) of other roles are client backends or background workers");
        }

        if (status == ExitCode.Unknown)
        {
            var inside = usage.ClientBackendsMin < crit && usage.ClientBackends >= crit ? $"critical at {Number(crit)}" : $"warning at {Number(warn)}";
            text.Append(CultureInfo.InvariantCulture, $", so it is {PluginResult.StatusWord(best)} or {PluginResult.StatusWord(worst)} ({inside} lies inside the range); {snapshot.Visibility.Grant()} (or pg_read_all_stats) removes the doubt");
        }

        if (usage.ByState.Count > 0)
        {
            text.Append("; ").AppendJoin(", ", usage.ByState.Select(kv => $"{kv.Key} {kv.Value}"));
        }

        List<PerfData> perf =
        [
            new PerfData("connections", usage.ClientBackends, string.Empty, warn, crit, 0, usage.UsableSlots),
            new PerfData("used_pct", usage.PercentOfUsable, "%", Math.Round(warn * 100 / Math.Max(1, usage.UsableSlots), 1), Math.Round(crit * 100 / Math.Max(1, usage.UsableSlots), 1), 0, 100),
            new PerfData("idle_in_transaction", usage.ByState.Where(kv => SessionStates.IsIdleInTransaction(kv.Key)).Sum(kv => kv.Value)),
            new PerfData("max_connections", usage.MaxConnections),
        ];
        if (!usage.Exact)
        {
            perf.Insert(1, new PerfData("connections_min", usage.ClientBackendsMin, string.Empty, warn, crit, 0, usage.UsableSlots));
        }

        return new PluginResult("POSTGRES_CONNECTIONS", status, text.ToString(), perf);
    }

    public static PluginResult IdleInTransaction(Snapshot snapshot, TimeSpan warning, TimeSpan critical) =>
        Ages(
            "POSTGRES_IDLE_IN_TRANSACTION",
            "idle in transaction",
            snapshot,
            s => SessionStates.IsIdleInTransaction(s.State) ? s.StateAge(snapshot.TakenAt) : null,
            warning,
            critical);

    public static PluginResult LongQueries(Snapshot snapshot, TimeSpan warning, TimeSpan critical) =>
        Ages(
            "POSTGRES_LONG_QUERIES",
            "running",
            snapshot,
            s => s.State == SessionStates.Active ? s.QueryAge(snapshot.TakenAt) : null,
            warning,
            critical);

    public static PluginResult Blocking(Snapshot snapshot, TimeSpan warning, TimeSpan critical) =>
        Ages(
            "POSTGRES_BLOCKING",
            "waiting on a lock",
            snapshot,
            s => s.BlockedBy.Count > 0 ? s.LockWaitAge(snapshot.TakenAt) : null,
            warning,
            critical,
            extra: string.Concat(
                LockGraph.Chains(snapshot.Sessions) is { Count: > 0 } chains ? $"; head blocker(s): pid {string.Join(", ", chains.Select(c => c.HeadPid))}" : null,
                LockWaitClocks.Caveat(snapshot.LockWaitClock) is { } caveat ? "; " + caveat : null) is { Length: > 0 } text ? text : null);

    /// <summary>When the plugin could not read the server: full or down is CRITICAL; anything else UNKNOWN.</summary>
    public static PluginResult CouldNotConnect(string service, ProbeResult probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var serverFull = probe.Reason is ProbeReason.TooManyClients or ProbeReason.ReservedSlotsOnly;
        var status = probe.Outcome == ProbeOutcome.NoResponse || serverFull ? ExitCode.Critical : ExitCode.Unknown;
        var state = FullServer.RefusesEveryone(probe) ? $" — {FullServer.RefusesEveryoneSummary}"
            : FullServer.ReservedSlotsLeft(probe) ? $" — {FullServer.ReservedSlotsLeftSummary}"
            : string.Empty;
        // Connected but the read was lost or ran out of time: saying "cannot connect" would send the reader to the wrong place.
        var what = probe.ConnectMilliseconds is null ? "cannot connect" : "cannot read the server";
        return new PluginResult(service, status, $"{what}: {probe.Reason} ({probe.Message}){state}", []);
    }

    // Only client backends: walsenders, autovacuum and parallel workers run long by design.
    private static PluginResult Ages(string service, string what, Snapshot snapshot, Func<SessionInfo, TimeSpan?> age, TimeSpan warning, TimeSpan critical, string? extra = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var aged = snapshot.ClientBackends
            .Select(s => (Session: s, Age: age(s)))
            .Where(x => x.Age is not null)
            .OrderByDescending(x => x.Age)
            .ToList();
        var oldest = aged.Count > 0 ? aged[0] : default;
        var oldestSeconds = aged.Count > 0 ? oldest.Age!.Value.TotalSeconds : 0;
        var status = PluginResult.Compare(oldestSeconds, warning.TotalSeconds, critical.TotalSeconds);
        var over = aged.Count(x => x.Age >= warning);
        var text = aged.Count == 0
            ? $"no session {what}"
            : $"{aged.Count} session(s) {what}, {over} for over {Duration.Format(warning)}; oldest {Duration.Format(oldest.Age!.Value)}: pid {oldest.Session.Pid} {SessionGroups.ApplicationOf(oldest.Session)} ({oldest.Session.User}@{oldest.Session.Database}){extra}";
        return new PluginResult(
            service,
            status,
            text,
            [
                new PerfData("oldest", Math.Round(oldestSeconds, 1), "s", warning.TotalSeconds, critical.TotalSeconds, 0),
                new PerfData("sessions", aged.Count),
                new PerfData("over_warning", over),
            ]);
    }

    private static string Number(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
