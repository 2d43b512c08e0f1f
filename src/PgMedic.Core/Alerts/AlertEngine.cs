using System.Text.Json.Serialization;
using PgMedic.Core.Diagnosis;

namespace PgMedic.Core.Alerts;

[JsonConverter(typeof(JsonStringEnumConverter<AlertState>))]
public enum AlertState
{
    [JsonStringEnumMemberName("pending")]
    Pending,

    [JsonStringEnumMemberName("firing")]
    Firing,

    [JsonStringEnumMemberName("resolved")]
    Resolved,
}

/// <summary>An alert that is pending or firing now.</summary>
public sealed record ActiveAlert(AlertKey Key, AlertState State, DateTimeOffset Since, DateTimeOffset? FiredAt, double Value, string Summary)
{
    /// <summary>The signal that tripped it (<c>database-connection-failure</c>); kept once it no longer holds, so the resolution says what resolved.</summary>
    public FailureSignal? Signal { get; init; }
}

/// <summary>
/// A change of an alert's state. Only changes are produced — an alert that stays firing produces
/// nothing — so every webhook notification is one state change (de-duplication).
/// </summary>
/// <param name="EventId">Unique per change: receivers de-duplicate deliveries by it.</param>
public sealed record AlertTransition(string EventId, AlertKey Key, AlertState State, DateTimeOffset At, DateTimeOffset StartsAt, double Value, string Summary)
{
    public Severity Severity => Key.Severity;

    /// <summary>The signal that tripped the alert (<c>database-connection-failure</c>); null for the other rules.</summary>
    public FailureSignal? Signal { get; init; }
}

/// <summary>
/// The pending → firing → resolved state machine over the rules' signals. Pure: time is the sample's
/// time, and the active alerts can be restored from history after a restart so nothing fires twice.
/// </summary>
public sealed class AlertEngine(IEnumerable<ActiveAlert>? restored = null)
{
    private readonly Dictionary<AlertKey, ActiveAlert> _active = (restored ?? []).ToDictionary(a => a.Key);

    public IReadOnlyCollection<ActiveAlert> Active => _active.Values;

    /// <summary>Applies one round of signals at <paramref name="now"/>; returns the transitions, firing and resolved ones first by severity.</summary>
    /// <param name="stale">
    /// This round had no snapshot (the lifeline was lost): rules that read one said nothing, and their
    /// alerts keep the state they had — pending stays pending, firing stays firing — until a snapshot
    /// or the failure rule decides. Without this a lost view would resolve every alert and re-fire it a
    /// poll later.
    /// </param>
    public IReadOnlyList<AlertTransition> Apply(IReadOnlyList<AlertSignal> signals, DateTimeOffset now, string? target = null, bool stale = false)
    {
        ArgumentNullException.ThrowIfNull(signals);
        var transitions = new List<AlertTransition>();
        var seen = new HashSet<AlertKey>();
        foreach (var signal in signals)
        {
            seen.Add(signal.Key);
            _active.TryGetValue(signal.Key, out var current);
            switch (current?.State)
            {
                case null when signal.Active:
                    var pending = new ActiveAlert(signal.Key, AlertState.Pending, now, null, signal.Value, signal.Summary) { Signal = signal.Signal };
                    _active[signal.Key] = pending;
                    transitions.Add(Transition(pending, AlertState.Pending, now));
                    if (signal.For <= TimeSpan.Zero)
                    {
                        transitions.Add(Fire(pending, signal, now));
                    }

                    break;
                case AlertState.Pending when signal.Active:
                    current = current with { Value = signal.Value, Summary = signal.Summary, Signal = signal.Signal };
                    _active[signal.Key] = current;
                    if (now - current.Since >= signal.For)
                    {
                        transitions.Add(Fire(current, signal, now));
                    }

                    break;
                case AlertState.Pending:
                    _active.Remove(signal.Key);
                    break;
                case AlertState.Firing when signal.Active || signal.Holding:
                    // Within hysteresis the condition's own text no longer applies: keep the one it fired with.
                    _active[signal.Key] = current with
                    {
                        Value = signal.Value,
                        Summary = signal.Active ? signal.Summary : current.Summary,
                        Signal = signal.Active ? signal.Signal : current.Signal,
                    };
                    break;
                case AlertState.Firing:
                    _active.Remove(signal.Key);
                    transitions.Add(Transition(current with { Value = signal.Value, Summary = signal.Summary }, AlertState.Resolved, now));
                    break;
            }
        }

        // A rule that no longer speaks about a key (an application gone, a rule disabled) resolves it —
        // unless it said nothing because there was nothing to read.
        foreach (var orphan in _active.Values.Where(a => !stale && !seen.Contains(a.Key) && (target is null || a.Key.Target == target)).ToList())
        {
            _active.Remove(orphan.Key);
            if (orphan.State == AlertState.Firing)
            {
                transitions.Add(Transition(orphan, AlertState.Resolved, now));
            }
        }

        return transitions;
    }

    private AlertTransition Fire(ActiveAlert pending, AlertSignal signal, DateTimeOffset now)
    {
        var firing = pending with { State = AlertState.Firing, FiredAt = now, Value = signal.Value, Summary = signal.Summary, Signal = signal.Signal };
        _active[signal.Key] = firing;
        return Transition(firing, AlertState.Firing, now);
    }

    private static AlertTransition Transition(ActiveAlert alert, AlertState state, DateTimeOffset now) =>
        new(Guid.NewGuid().ToString("N"), alert.Key, state, now, alert.Since, alert.Value, alert.Summary) { Signal = alert.Signal };
}
