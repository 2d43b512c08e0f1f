using System.Globalization;
using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Diagnosis.Rules;

/// <summary>
/// Client backends at the runbook's 80 % / 90 % of usable slots. When the role cannot see every session's
/// type the count is a range and the finding takes the severity of its worst end, saying so; once ordinary
/// slots are all taken it tells "only superusers can connect" from "even superusers are refused".
/// </summary>
internal sealed class ConnectionSaturationRule : IDiagnosisRule
{
    public IEnumerable<Finding> Evaluate(DiagnosisContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var usage = context.Usage;
        var options = context.Options;
        var severity = usage.PercentOfUsable >= options.SaturationCriticalPercent ? Severity.Critical
            : usage.PercentOfUsable >= options.SaturationWarningPercent ? Severity.Warning
            : (Severity?)null;
        if (severity is null)
        {
            yield break;
        }

        var snapshot = context.Snapshot;
        var server = snapshot.Server;
        var staleIdle = snapshot.ClientBackends
            .Where(s => s.State == SessionStates.Idle && s.StateAge(context.Now) >= options.HoardingIdleFor)
            .Select(s => s.Pid)
            .ToList();
        var evidence = new List<string>
        {
            $"{usage.InUse()} client backends of {usage.UsableSlots} usable slots ({usage.Percentage()} %); {usage.Left()} left for ordinary roles",
            $"usable slots = max_connections {server.MaxConnections} − superuser_reserved_connections {server.SuperuserReservedConnections} − reserved_connections {server.ReservedConnections}",
            "by state: " + string.Join(", ", usage.ByState.Select(kv => $"{kv.Key} {kv.Value}")),
        };
        if (!usage.Exact)
        {
            evidence.Add($"at least {usage.ClientBackendsMin}, at most {usage.ClientBackends}: {Unclassified(snapshot, usage)} show this role no type, and each may be a client backend or a background worker; {snapshot.Visibility.Grant()} (or pg_read_all_stats) makes the count exact");
        }

        var full = FullState(snapshot, usage);
        if (full is not null)
        {
            evidence.Add(full);
        }

        var recommendation = staleIdle.Count > 0
            ? Fix.Run(FixVerb.Terminate, new FixOptions { State = "idle", IdleFor = Text.Age(options.HoardingIdleFor) })
            : Fix.Run(FixVerb.Advise, new FixOptions { Workers = true }, "raise capacity or add a pooler; nothing idle long enough to reclaim");
        if (staleIdle.Count > 0)
        {
            evidence.Add($"{staleIdle.Count} of them idle for over {Text.Age(options.HoardingIdleFor)}: reclaimable now");
        }

        var summary = usage.Exact
            ? $"{usage.Percentage()} % of usable connection slots in use ({usage.InUse()}/{usage.UsableSlots})"
            : $"{usage.Percentage()} % of usable connection slots in use ({usage.InUse()}/{usage.UsableSlots}): this role cannot see whether {usage.UnclassifiedSessions} session(s) are client backends";
        yield return new Finding(
            FindingCodes.ConnectionSaturation,
            severity.Value,
            full is null ? summary : $"{summary}; {full}",
            evidence,
            staleIdle,
            staleIdle.Count > 0 ? RunbookStep.ResetConnectionPool : RunbookStep.IncreaseConnectionLimits,
            recommendation);
    }

    /// <summary>Once every usable slot is certainly taken: who can still get in.</summary>
    private static string? FullState(Snapshot snapshot, Usage usage)
    {
        if (usage.ClientBackendsMin < usage.UsableSlots)
        {
            return null;
        }

        // A one-off collector's own connection holds a slot right now but is not in the count.
        var own = snapshot.CollectorCounted ? 0 : 1;
        var reserved = snapshot.Server.MaxConnections - snapshot.Server.UsableSlots;
        var fewest = Math.Max(0, snapshot.Server.MaxConnections - usage.ClientBackends - own);
        var most = Math.Max(0, snapshot.Server.MaxConnections - usage.ClientBackendsMin - own);
        return most == 0
            ? "even superusers are refused: every slot is taken, the reserved ones too"
            : $"ordinary roles are refused; {Usage.Range(fewest, most)} of {reserved.ToString(CultureInfo.InvariantCulture)} reserved slot(s) left, for superusers only";
    }

    private static string Unclassified(Snapshot snapshot, Usage usage)
    {
        var byRole = snapshot.Sessions.Where(ClientBackendRange.MayBeClientBackend)
            .GroupBy(s => s.User!, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count())
            .Select(g => $"{g.Key} {g.Count()}")
            .ToList();
        return $"{usage.UnclassifiedSessions} session(s) of other roles ({string.Join(", ", byRole.Take(6))}{(byRole.Count > 6 ? ", …" : string.Empty)})";
    }
}
