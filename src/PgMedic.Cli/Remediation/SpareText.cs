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
            SpareReason.OtherDatabase => $"in another database ({spared.Detail}; use --database or --all-databases)",
            SpareReason.Superuser => "superuser session (use --include-superusers)",
            SpareReason.ProtectedRole => $"protected role {spared.Detail}",
            SpareReason.ProtectedApplication => $"protected application {spared.Detail}",
            _ => $"over --max {spared.Detail}",
        };
    }
}
