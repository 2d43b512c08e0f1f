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

    /// <summary>
    /// Login roles that managed PostgreSQL services run their own administration, monitoring and backups
    /// as: never touched, whatever the options. Only login roles belong here — group roles such as
    /// rds_superuser, cloudsqlsuperuser, azure_pg_admin or neon_superuser are granted to the customer's
    /// own (application) roles, so sparing their members would spare the application. Sources are in
    /// docs/least-privilege.md.
    /// </summary>
    public static readonly IReadOnlyList<string> PlatformAdministrationRoles =
    [
        "rdsadmin", "cloudsqladmin", "azuresu", "azure_superuser",
        "supabase_admin", "supabase_auth_admin", "supabase_storage_admin", "supabase_realtime_admin", "supabase_replication_admin",
        "cloud_admin",
    ];

    /// <summary>The database the target connects to: plans stay inside it unless told otherwise (the engine fills it from the snapshot).</summary>
    public string TargetDatabase { get; init; } = string.Empty;

    /// <summary>Act in these databases instead of the target's (<c>--database</c>).</summary>
    public IReadOnlyList<string> Databases { get; init; } = [];

    public bool AllDatabases { get; init; }

    public bool IncludeSuperusers { get; init; }

    /// <summary>
    /// The application's own roles: their sessions are candidates even when the role is a superuser (Railway
    /// gives the application <c>postgres</c>). Empty means the role PgMedic connects as (the engine fills it).
    /// </summary>
    public IReadOnlyList<string> AppRoles { get; init; } = [];

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

    public static bool IsPlatformAdministrationRole(string? user) =>
        user is not null && PlatformAdministrationRoles.Contains(user, StringComparer.Ordinal);

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

        foreach (var role in AppRoles.Where(IsPlatformAdministrationRole))
        {
            errors.Add($"'{role}' is a managed service's administration role, never the application's: it stays protected");
        }

        if (string.IsNullOrEmpty(TargetDatabase))
        {
            errors.Add("the target's database is unknown");
        }

        return errors;
    }
}
