namespace PgMedic.Postgres.Collection;

/// <summary>Whose query text a snapshot reads.</summary>
public enum QueryTextScope
{
    /// <summary>Every session's (diagnose, activity, the engine).</summary>
    All,

    /// <summary>Only client sessions that are not idle: <c>top</c> never draws an idle session's query.</summary>
    NotIdle,
}

/// <summary>What a snapshot reads besides every session's row.</summary>
public sealed record SnapshotScope
{
    /// <summary>Everything diagnose reads: every query text, no counters.</summary>
    public static SnapshotScope Full { get; } = new();

    public QueryTextScope QueryText { get; init; } = QueryTextScope.All;

    /// <summary>Query text is cut to this many characters on the server.</summary>
    public int MaxQueryLength { get; init; } = SnapshotCollector.DefaultMaxQueryLength;

    /// <summary>Read the transaction counter and the server's start time (top's tps and uptime).</summary>
    public bool Counters { get; init; }
}
