namespace PgMedic.Core.Remediation;

/// <summary>What every plan is filtered through. Defaults protect what must never die.</summary>
public sealed record GuardrailOptions
{
    /// <summary>Applications whose sessions are never touched: PgMedic itself, replication and backup tools.</summary>
    public static readonly IReadOnlyList<string> DefaultProtectedApplications =
    [
        "pgmedic", "pg_dump", "pg_dumpall", "pg_restore", "pg_basebackup", "pg_receivewal", "pg_recvlogical",
        "walreceiver", "pgbackrest", "barman", "barman_receive_wal", "wal-g", "patroni", "repmgr", "pglogical",
    ];

    /// <summary>The database the target connects to: plans stay inside it unless told otherwise (the engine fills it from the snapshot).</summary>
    public string TargetDatabase { get; init; } = string.Empty;

    /// <summary>Act in these databases instead of the target's (<c>--database</c>).</summary>
    public IReadOnlyList<string> Databases { get; init; } = [];

    public bool AllDatabases { get; init; }

    public bool IncludeSuperusers { get; init; }

    public IReadOnlyList<string> ProtectedUsers { get; init; } = [];

    /// <summary>Added to <see cref="DefaultProtectedApplications"/>, never replacing them.</summary>
    public IReadOnlyList<string> ProtectedApplications { get; init; } = [];

    /// <summary>At most this many actions per run; the rest are listed as spared.</summary>
    public int MaxActions { get; init; } = 100;

    /// <summary>PgMedic's own backend, never a target.</summary>
    public int OwnPid { get; init; }

    /// <summary>
    /// Always spared, whatever the options: the default list (case-insensitive), and PgMedic's sessions while
    /// a run holds the server's lock (their application_name becomes <c>pgmedic heal …</c>).
    /// </summary>
    public static bool IsAlwaysProtected(string application)
    {
        ArgumentNullException.ThrowIfNull(application);
        return DefaultProtectedApplications.Contains(application, StringComparer.OrdinalIgnoreCase)
            || application.StartsWith("pgmedic ", StringComparison.OrdinalIgnoreCase);
    }

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxActions < 1)
        {
            errors.Add($"the maximum number of actions must be at least 1 (was {MaxActions})");
        }

        if (AllDatabases && Databases.Count > 0)
        {
            errors.Add("acting in all databases and in a list of databases exclude each other: pick one");
        }

        if (string.IsNullOrEmpty(TargetDatabase))
        {
            errors.Add("the target's database is unknown");
        }

        return errors;
    }
}
