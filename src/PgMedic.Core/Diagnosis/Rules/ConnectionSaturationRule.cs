using System.Globalization;
using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Diagnosis.Rules;

/// <summary>Client backends at the runbook's 80 % / 90 % of usable slots.</summary>
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

        var server = context.Snapshot.Server;
        var staleIdle = context.Snapshot.ClientBackends
            .Where(s => s.State == SessionStates.Idle && s.StateAge(context.Now) >= options.HoardingIdleFor)
            .Select(s => s.Pid)
            .ToList();
        var evidence = new List<string>
        {
            $"{usage.ClientBackends} client backends of {usage.UsableSlots} usable slots ({usage.PercentOfUsable.ToString("0.#", CultureInfo.InvariantCulture)} %); {Math.Max(0, usage.SlotsLeft)} left for ordinary roles",
            $"usable slots = max_connections {server.MaxConnections} − superuser_reserved_connections {server.SuperuserReservedConnections} − reserved_connections {server.ReservedConnections}",
            "by state: " + string.Join(", ", usage.ByState.Select(kv => $"{kv.Key} {kv.Value}")),
        };
        var recommendation = staleIdle.Count > 0
            ? Fix.Run(FixVerb.Terminate, new FixOptions { State = "idle", IdleFor = Text.Age(options.HoardingIdleFor) })
            : Fix.Run(FixVerb.Advise, new FixOptions { Workers = true }, "raise capacity or add a pooler; nothing idle long enough to reclaim");
        if (staleIdle.Count > 0)
        {
            evidence.Add($"{staleIdle.Count} of them idle for over {Text.Age(options.HoardingIdleFor)}: reclaimable now");
        }

        yield return new Finding(
            FindingCodes.ConnectionSaturation,
            severity.Value,
            $"{usage.PercentOfUsable.ToString("0.#", CultureInfo.InvariantCulture)} % of usable connection slots in use ({usage.ClientBackends}/{usage.UsableSlots})",
            evidence,
            staleIdle,
            staleIdle.Count > 0 ? RunbookStep.ResetConnectionPool : RunbookStep.IncreaseConnectionLimits,
            recommendation);
    }
}
