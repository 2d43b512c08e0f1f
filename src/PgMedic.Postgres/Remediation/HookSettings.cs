using PgMedic.Core.Secrets;

namespace PgMedic.Postgres.Remediation;

/// <summary>The restart and maintenance commands of <c>emergency</c>; a null command is a step that is skipped.</summary>
public sealed record HookSettings(string? RestartCommand, string? MaintenanceOnCommand, string? MaintenanceOffCommand, TimeSpan Timeout)
{
    public static HookSettings None { get; } = new(null, null, null, TimeSpan.FromMinutes(2));

    /// <summary>The commands as they may be shown: a hook line often carries a password (<c>PGPASSWORD=… psql …</c>).</summary>
    public HookSettings Shown(SecretScrubber scrubber)
    {
        ArgumentNullException.ThrowIfNull(scrubber);
        return this with
        {
            RestartCommand = scrubber.ScrubOrNull(RestartCommand),
            MaintenanceOnCommand = scrubber.ScrubOrNull(MaintenanceOnCommand),
            MaintenanceOffCommand = scrubber.ScrubOrNull(MaintenanceOffCommand),
        };
    }
}
