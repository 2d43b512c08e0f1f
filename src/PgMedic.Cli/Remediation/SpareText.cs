using PgMedic.Core.Remediation;

namespace PgMedic.Cli.Remediation;

/// <summary>Why a session was spared, in the CLI's words: with the option that would change it.</summary>
internal static class SpareText
{
    public static string Of(SparedSession spared)
    {
        ArgumentNullException.ThrowIfNull(spared);
        return spared.Reason switch
        {
            SpareReason.NotClientBackend => $"not a client backend ({spared.Detail})",
            SpareReason.OwnBackend => "PgMedic's own connection",
            SpareReason.OtherDatabase => $"in another database ({spared.Detail}; use --in-database or --all-databases)",
            SpareReason.PlatformRole => $"the managed service's own role {spared.Detail} (always protected)",
            SpareReason.Superuser => $"superuser {spared.Detail}, not an application role (use --app-role {spared.Detail} or --include-superusers)",
            SpareReason.ProtectedRole => $"protected role {spared.Detail}",
            SpareReason.ProtectedApplication => $"protected application {spared.Detail}",
            _ => $"over --max {spared.Detail}",
        };
    }

    /// <summary>A reason in a few words, for a summary line.</summary>
    public static string Reason(SpareReason reason) => reason switch
    {
        SpareReason.NotClientBackend => "not client backends",
        SpareReason.OwnBackend => "PgMedic's own connection",
        SpareReason.OtherDatabase => "in another database",
        SpareReason.PlatformRole => "the managed service's own roles",
        SpareReason.Superuser => "superusers' sessions",
        SpareReason.ProtectedRole => "protected roles",
        SpareReason.ProtectedApplication => "protected applications",
        _ => "over --max",
    };

    /// <summary>The one option that would act on what was spared, or why nothing should.</summary>
    public static string NextStep(IReadOnlyList<SparedSession> spared)
    {
        ArgumentNullException.ThrowIfNull(spared);
        var reasons = spared.Select(s => s.Reason).ToHashSet();
        var steps = new List<string>();
        if (reasons.Contains(SpareReason.Superuser))
        {
            var roles = string.Join(" --app-role ", spared.Where(s => s.Reason == SpareReason.Superuser).Select(s => s.Detail).Distinct());
            steps.Add($"re-run with --app-role {roles} if those superuser sessions are the application's (e.g. a platform that gives the app the postgres role), or --include-superusers");
        }

        if (reasons.Contains(SpareReason.OtherDatabase))
        {
            steps.Add($"re-run with --in-database {string.Join(" --in-database ", spared.Where(s => s.Reason == SpareReason.OtherDatabase).Select(s => s.Detail).Distinct())} (or --all-databases)");
        }

        if (reasons.Contains(SpareReason.ProtectedRole) || reasons.Contains(SpareReason.ProtectedApplication))
        {
            steps.Add("drop the --protect-user/--protect-application that covers them (the built-in list — replication and backup tools — stays protected)");
        }

        if (reasons.Contains(SpareReason.OverMax))
        {
            steps.Add("raise --max");
        }

        return steps.Count > 0
            ? string.Join("; or ", steps) + "."
            : "nothing: those are not client sessions PgMedic may end (background workers, replication).";
    }
}
