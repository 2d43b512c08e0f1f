using System.Globalization;
using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Diagnosis;

/// <summary>
/// How full the server is: client backends against usable slots, by state. When the collector's role
/// cannot see every session's type (<see cref="ClientBackendRange"/>), the count is a range:
/// <see cref="ClientBackends"/>, <see cref="PercentOfUsable"/> and <see cref="SlotsLeft"/> are its worst
/// end, <see cref="ClientBackendsMin"/> and <see cref="PercentOfUsableMin"/> its best, so no reader is
/// handed a lower number as if it were exact.
/// </summary>
/// <param name="ClientBackends">Client backends — at most this many when not <see cref="Exact"/>. PgMedic's own connection counts only when it is resident (the monitor's lifeline).</param>
/// <param name="PercentOfUsable">Client backends as a percentage of usable slots; above 100 when superusers use reserved slots.</param>
/// <param name="SlotsLeft">Usable slots left for ordinary roles — at least this many when not <see cref="Exact"/>.</param>
/// <param name="ByState">Client backends by state; <c>hidden</c> counts the sessions whose type and state this role cannot see.</param>
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
    /// <summary>The fewest client backends there can be; equal to <see cref="ClientBackends"/> when exact.</summary>
    public int ClientBackendsMin { get; init; }

    /// <summary>The most there can be: <see cref="ClientBackends"/>.</summary>
    public int ClientBackendsMax => ClientBackends;

    public double PercentOfUsableMin { get; init; }

    public double PercentOfUsableMax => PercentOfUsable;

    /// <summary>Sessions this role cannot tell client backend from background worker.</summary>
    public int UnclassifiedSessions { get; init; }

    /// <summary>Every session's type was seen: the count is a number, not a range.</summary>
    public bool Exact => ClientBackendsMin == ClientBackends;

    public static Usage From(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var range = ClientBackendRange.From(snapshot);
        var usable = snapshot.Server.UsableSlots;
        var states = snapshot.ClientBackends
            .GroupBy(s => s.State ?? SessionStates.Hidden)
            .ToDictionary(g => g.Key, g => g.Count());
        Add(states, SessionStates.Hidden, range.Unclassified);

        // The resident collector is running this very snapshot.
        Add(states, SessionStates.Active, snapshot.CollectorCounted ? 1 : 0);
        var visibleClients = snapshot.Sessions.Count(s => s.IsClientBackend);
        return new Usage(
            range.Max,
            usable,
            snapshot.Server.MaxConnections,
            Percent(range.Max, usable),
            usable - range.Max,
            states.OrderByDescending(kv => kv.Value).ToDictionary(kv => kv.Key, kv => kv.Value),
            snapshot.Sessions.Count - visibleClients - range.Unclassified)
        {
            ClientBackendsMin = range.Min,
            PercentOfUsableMin = Percent(range.Min, usable),
            UnclassifiedSessions = range.Unclassified,
        };
    }

    public static double Percent(int used, int of) => of <= 0 ? (used > 0 ? 100 : 0) : Math.Round(used * 100.0 / of, 1);

    /// <summary>A count as people read it: <c>18</c>, or <c>15–18</c> when only a range is known.</summary>
    public static string Range(int min, int max) =>
        min == max ? max.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{min}–{max}");

    /// <summary>A percentage as people read it: <c>81.8</c>, or <c>68.2–81.8</c>.</summary>
    public static string Range(double min, double max) =>
        min.Equals(max) ? Number(max) : $"{Number(min)}–{Number(max)}";

    /// <summary>Client backends in use, <c>15–18</c> when not exact.</summary>
    public string InUse() => Range(ClientBackendsMin, ClientBackends);

    /// <summary>Percent of usable slots, <c>68.2–81.8</c> when not exact.</summary>
    public string Percentage() => Range(PercentOfUsableMin, PercentOfUsable);

    /// <summary>Usable slots left, <c>4–7</c> when not exact; never below zero.</summary>
    public string Left() => Range(Math.Max(0, SlotsLeft), Math.Max(0, UsableSlots - ClientBackendsMin));

    private static string Number(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static void Add(Dictionary<string, int> states, string state, int count)
    {
        if (count > 0)
        {
            states[state] = states.GetValueOrDefault(state) + count;
        }
    }
}
