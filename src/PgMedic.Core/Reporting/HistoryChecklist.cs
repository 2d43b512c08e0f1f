using System.Globalization;
using PgMedic.Core.Alerts;
using PgMedic.Core.Common;
using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Reporting;

/// <summary>The post-incident checklist's answers that the monitor's history gives; null where it shows nothing for an item.</summary>
internal static class HistoryChecklist
{
    /// <summary>How full the server got, and who held the slots at the first alert.</summary>
    public static string? PoolSettings(HistoryEvidence? history)
    {
        if (history?.PeakUsage is not { } peak)
        {
            return null;
        }

        var holders = history.AtFirstAlert?.ByApplication.Where(a => a.Name.Length > 0).Take(3).Select(a => Invariant($"{a.Name} {a.Sessions:0.#}")).ToList() ?? [];
        var failure = history.PeakFailure is { FailureRatio: { } ratio } f && ratio > 0
            ? Invariant($"; connection failures peaked at {ratio * 100:0.#} % at {f.At:HH:mm:ss}")
            : string.Empty;
        return Invariant($"the monitor saw usage peak at {peak.PercentOfUsable:0.#} % of usable slots ({peak.ClientBackends} of {peak.UsableSlots}) at {peak.At:HH:mm:ss} UTC{failure}")
            + (holders.Count > 0 ? $"; at the first alert the slots were held by {string.Join(", ", holders)}: compare each service's pool size and overflow with that" : string.Empty);
    }

    /// <summary>An application holding sessions idle in a transaction at the first alert, with the statement they last ran, or a leak-growth alert.</summary>
    public static string? Leaks(HistoryEvidence? history)
    {
        if (history is null)
        {
            return null;
        }

        var idle = history.AtFirstAlert?.Holders
            .Where(h => h.ByState.Keys.Any(SessionStates.IsIdleInTransaction) && h.Application.Length > 0)
            .OrderByDescending(h => h.ByState.Where(s => SessionStates.IsIdleInTransaction(s.Key)).Sum(s => s.Value))
            .FirstOrDefault();
        var growth = history.Alerts.Where(a => a.Alert == AlertNames.LeakGrowth && a.State == AlertState.Firing).Select(a => a.Subject).Distinct().ToList();
        if (idle is null && growth.Count == 0)
        {
            return null;
        }

        var parts = new List<string>();
        if (idle is not null)
        {
            var count = idle.ByState.Where(s => SessionStates.IsIdleInTransaction(s.Key)).Sum(s => s.Value);
            parts.Add(Invariant($"at the first alert {idle.Application} held {count:0.#} session(s) idle in a transaction") +
                (idle.Query is { } q ? $", last running `{q}` (fingerprint {idle.Fingerprint})" : string.Empty) + ": the code that runs it opens a transaction and does not end it");
        }

        if (growth.Count > 0)
        {
            parts.Add($"leak-growth fired for {string.Join(", ", growth)}");
        }

        return string.Join("; ", parts) + " — add PgMedic.Guard (or pgmedic-sqlalchemy) to name the call site";
    }

    /// <summary>The peak against usable slots and what the incident cost the availability objective.</summary>
    public static string? Capacity(HistoryEvidence? history)
    {
        if (history is null || (history.PeakUsage is null && history.Slo is null))
        {
            return null;
        }

        var parts = new List<string>();
        if (history.PeakUsage is { } peak)
        {
            parts.Add(Invariant($"peak {peak.ClientBackends} of {peak.UsableSlots} usable slots ({peak.PercentOfUsable:0.#} %)"));
        }

        if (history.Slo is { } slo)
        {
            parts.Add(Invariant($"the incident spent {slo.BudgetSpentRatio * 100:0.#} % of the {slo.ObjectivePercent:0.###} % objective's {Duration.Format(TimeSpan.FromSeconds(slo.WindowSeconds))} error budget ({slo.Failures} of {slo.Attempts} {(slo.Source == FailureSignal.Application ? "checkouts" : "connection attempts")} failed, {slo.BudgetSpentMinutes:0.#} of {slo.BudgetMinutes:0.#} minutes); {slo.BudgetRemainingRatio * 100:0.#} % of it is left"));
        }

        return string.Join("; ", parts) + "; the history's trend says when usable slots run out at it";
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
