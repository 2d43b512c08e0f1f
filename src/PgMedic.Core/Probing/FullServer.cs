namespace PgMedic.Core.Probing;

/// <summary>
/// The two states of a full server, which need different steps. With only the superuser-reserved
/// slots left, ordinary roles are refused and a superuser still gets in to look and act. With every
/// slot taken ("sorry, too many clients already") even superusers are refused, so no advice may send
/// anyone to log in: only what needs no new connection still works.
/// </summary>
public static class FullServer
{
    /// <summary>Even superusers are refused: no new login gets in, whoever it is.</summary>
    public static bool RefusesEveryone(ProbeResult probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        return probe.Outcome == ProbeOutcome.Rejecting && probe.Reason == ProbeReason.TooManyClients;
    }

    /// <summary>Refused as an ordinary role while the superuser-reserved slots are still free.</summary>
    public static bool ReservedSlotsLeft(ProbeResult probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        return probe.Outcome == ProbeOutcome.Rejecting && probe.Reason == ProbeReason.ReservedSlotsOnly;
    }

    public const string RefusesEveryoneSummary =
        "every connection slot is taken, the superuser-reserved ones too: even superusers are refused";

    public const string ReservedSlotsLeftSummary =
        "only the slots reserved for superusers are left: ordinary roles are refused, a superuser still gets in";

    /// <summary>What still works when even superusers are refused, most targeted first.</summary>
    public static IReadOnlyList<string> Exits { get; } =
    [
        "if PgMedic's monitor watches this server, its lifeline connection is still in: look and act through its dashboard or its actions API",
        "if PgBouncer is in front, its admin console still answers: PAUSE <db>; waits for running queries, then closes its server connections (KILL <db>; closes them at once); RESUME <db>; afterwards",
        "on the database host, as the postgres OS user: ps -u postgres -o pid,etime,args lists the backends ('postgres: app shop 10.0.0.7(51234) idle'); kill -TERM <pid> ends one as pg_terminate_backend would (never kill -9: the server then ends every session to recover)",
        "restart through the platform (pg_ctl restart -m fast -D <data directory>, systemctl restart postgresql, or the cloud console), which drops every session",
    ];

    /// <summary>The exits named in a few words, for a line that follows the list.</summary>
    public const string ExitsInBrief =
        "act without a new login: through PgMedic's monitor's lifeline, a PgBouncer PAUSE, kill -TERM <pid> on the database host, or a platform restart";

    /// <summary>The exits as one paragraph, for a single advice line.</summary>
    public static string ExitsText => "What still works: " + string.Join("; ", Exits.Select((exit, i) => $"({i + 1}) {exit}")) + ".";
}
