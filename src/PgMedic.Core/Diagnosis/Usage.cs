using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Diagnosis;

/// <summary>How full the server is: client backends against usable slots, by state.</summary>
/// <param name="ClientBackends">Client backends, not counting PgMedic's own connection or background processes.</param>
/// <param name="PercentOfUsable">Client backends as a percentage of usable slots; above 100 when superusers use reserved slots.</param>
/// <param name="OtherBackends">Background processes (autovacuum, walsenders, parallel workers…), which do not use client slots.</param>
public sealed record Usage(
    int ClientBackends,
    int UsableSlots,
    int MaxConnections,
    double PercentOfUsable,
    int SlotsLeft,
    IReadOnlyDictionary<string, int> ByState,
    int OtherBackends)
{
    public static Usage From(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var clients = snapshot.ClientBackends.ToList();
        var usable = snapshot.Server.UsableSlots;
        var byState = clients
            .GroupBy(s => s.State ?? SessionStates.Hidden)
            .OrderByDescending(g => g.Count())
            .ToDictionary(g => g.Key, g => g.Count());
        return new Usage(
            clients.Count,
            usable,
            snapshot.Server.MaxConnections,
            Percent(clients.Count, usable),
            usable - clients.Count,
            byState,
            snapshot.Sessions.Count - clients.Count);
    }

    public static double Percent(int used, int of) => of <= 0 ? (used > 0 ? 100 : 0) : Math.Round(used * 100.0 / of, 1);
}
