using PgMedic.Core.Secrets;

namespace PgMedic.Postgres.Remediation;

/// <summary>The restart and maintenance commands of <c>emergency</c> (and heal's restart); a null command is a step that is skipped.</summary>
public sealed record HookSettings(string? RestartCommand, string? MaintenanceOnCommand, string? MaintenanceOffCommand, TimeSpan Timeout)
{
    public static HookSettings None { get; } = new(null, null, null, TimeSpan.FromMinutes(2));

    /// <summary>emergency: restarts PostgreSQL between the terminate and the application's restart; then the run waits until it accepts connections.</summary>
    public string? RestartDatabaseCommand { get; init; }

    /// <summary>How long the server may take to accept connections again after the restart-database hook.</summary>
    public TimeSpan DatabaseWait { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Steps a platform preset has no command for, and why: shown in the plan, so the step asks for an explicit hook.</summary>
    public IReadOnlyDictionary<string, string> Missing { get; init; } = new Dictionary<string, string>();

    /// <summary>Extra environment for every hook (the PATH the door was given, so the platform's CLI is found).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The commands as they may be shown: a hook line often carries a password (<c>PGPASSWORD=… psql …</c>).</summary>
    public HookSettings Shown(SecretScrubber scrubber)
    {
        ArgumentNullException.ThrowIfNull(scrubber);
        return this with
        {
            RestartCommand = scrubber.ScrubOrNull(RestartCommand),
            MaintenanceOnCommand = scrubber.ScrubOrNull(MaintenanceOnCommand),
            MaintenanceOffCommand = scrubber.ScrubOrNull(MaintenanceOffCommand),
            RestartDatabaseCommand = scrubber.ScrubOrNull(RestartDatabaseCommand),
        };
    }

    /// <summary>The preset's commands fill the steps no explicit hook was given for.</summary>
    public HookSettings With(PlatformPreset preset)
    {
        ArgumentNullException.ThrowIfNull(preset);
        var missing = new Dictionary<string, string>(Missing);
        string? Fill(string step, string? explicitCommand, PresetHook hook)
        {
            if (explicitCommand is null && hook.Missing is { } why)
            {
                missing[step] = why;
            }

            return explicitCommand ?? hook.Command;
        }

        return this with
        {
            MaintenanceOnCommand = Fill("maintenance-on", MaintenanceOnCommand, preset.MaintenanceOn),
            MaintenanceOffCommand = Fill("maintenance-off", MaintenanceOffCommand, preset.MaintenanceOff),
            RestartCommand = Fill("restart-app", RestartCommand, preset.RestartApp),
            RestartDatabaseCommand = Fill("restart-database", RestartDatabaseCommand, preset.RestartDatabase),
            Missing = missing,
        };
    }
}
