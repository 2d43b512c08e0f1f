namespace PgMedic.Postgres.Remediation;

/// <summary>The restart and maintenance commands of <c>emergency</c>; a null command is a step that is skipped.</summary>
public sealed record HookSettings(string? RestartCommand, string? MaintenanceOnCommand, string? MaintenanceOffCommand, TimeSpan Timeout)
{
    public static HookSettings None { get; } = new(null, null, null, TimeSpan.FromMinutes(2));
}
