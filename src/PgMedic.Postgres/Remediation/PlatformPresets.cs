using PgMedic.Core.Platforms;

namespace PgMedic.Postgres.Remediation;

/// <summary>One hook of a preset: the platform's command, or why it has none (the step then needs an explicit hook).</summary>
public sealed record PresetHook(string? Command, string? Missing)
{
    public static PresetHook Run(string command) => new(command, null);

    public static PresetHook None(string why) => new(null, why);
}

/// <summary>A platform's commands for maintenance on and off, restarting the application and restarting the database.</summary>
public sealed record PlatformPreset(Platform Platform, PresetHook MaintenanceOn, PresetHook MaintenanceOff, PresetHook RestartApp, PresetHook RestartDatabase);

/// <summary>
/// The platforms' own commands, as their CLIs document them (docs/platforms/*.md cites each). Where a
/// platform has no command for a step, the preset says so; it never guesses, and never reaches for a
/// destructive command (heroku pg:reset, kubectl delete) to stand in for a restart.
/// </summary>
public static class PlatformPresets
{
    /// <param name="service">The application: Railway service, Heroku or Fly app, Render service ID, Kubernetes deployment, systemd unit.</param>
    /// <param name="databaseService">The database's own service where the platform runs it as one (Railway, Fly, a StatefulSet, a systemd unit); null when not given.</param>
    public static PlatformPreset For(Platform platform, string service, string? databaseService)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        var s = Quote(service);
        var db = databaseService is null ? null : Quote(databaseService);
        return platform switch
        {
            // A variable change takes effect only with a new deployment: set it without the automatic deploy, then redeploy once.
            Platform.Railway => new(
                platform,
                PresetHook.Run($"railway variables --set \"MAINTENANCE_MODE=true\" --service {s} --skip-deploys && railway redeploy --service {s} --yes"),
                PresetHook.Run($"railway variables --set \"MAINTENANCE_MODE=false\" --service {s} --skip-deploys && railway redeploy --service {s} --yes"),
                PresetHook.Run($"railway restart --service {s} --yes"),
                db is null ? PresetHook.None("Railway's PostgreSQL is restarted as its own service: name that service, or give a restart-database command") : PresetHook.Run($"railway restart --service {db} --yes")),
            Platform.Heroku => new(
                platform,
                PresetHook.Run($"heroku maintenance:on --app {s}"),
                PresetHook.Run($"heroku maintenance:off --app {s}"),
                PresetHook.Run($"heroku ps:restart --app {s}"),
                PresetHook.None("Heroku Postgres has no restart command in the Heroku CLI (pg:reset erases the data and is never used): give a restart-database command, or ask Heroku support")),
            Platform.Render => new(
                platform,
                PresetHook.None("the Render CLI has no maintenance switch: give a maintenance-on command (your application's own flag)"),
                PresetHook.None("the Render CLI has no maintenance switch: give a maintenance-off command (your application's own flag)"),
                PresetHook.Run($"render restart {s} --output text --confirm"),
                PresetHook.None("the Render CLI cannot restart a managed Render Postgres database: give a restart-database command, or restart it from the dashboard")),
            // fly secrets set restarts the app's Machines itself: the switch takes effect once they are back.
            Platform.Fly => new(
                platform,
                PresetHook.Run($"fly secrets set MAINTENANCE_MODE=true --app {s}"),
                PresetHook.Run($"fly secrets set MAINTENANCE_MODE=false --app {s}"),
                PresetHook.Run($"fly apps restart {s}"),
                db is null ? PresetHook.None("a Fly Postgres cluster is its own app: name it, or give a restart-database command") : PresetHook.Run($"fly apps restart {db}")),
            // Changing the pod template's environment is itself a rollout: it takes effect as new pods become ready.
            Platform.Kubernetes => new(
                platform,
                PresetHook.Run($"kubectl set env deployment/{s} MAINTENANCE_MODE=true && kubectl rollout status deployment/{s}"),
                PresetHook.Run($"kubectl set env deployment/{s} MAINTENANCE_MODE=false && kubectl rollout status deployment/{s}"),
                PresetHook.Run($"kubectl rollout restart deployment/{s} && kubectl rollout status deployment/{s}"),
                db is null ? PresetHook.None("name the database's StatefulSet, or give a restart-database command (a managed database outside the cluster has none here)") : PresetHook.Run($"kubectl rollout restart statefulset/{db} && kubectl rollout status statefulset/{db}")),
            Platform.Systemd => new(
                platform,
                PresetHook.None("systemd has no maintenance switch: give a maintenance-on command (your application's own flag)"),
                PresetHook.None("systemd has no maintenance switch: give a maintenance-off command (your application's own flag)"),
                PresetHook.Run($"systemctl restart {s}"),
                db is null ? PresetHook.None("name the database's unit (postgresql, postgresql@15-main), or give a restart-database command") : PresetHook.Run($"systemctl restart {db}")),
            _ => throw new ArgumentOutOfRangeException(nameof(platform), platform, null),
        };
    }

    /// <summary>A name as one shell word: plain names stay as typed, anything else in single quotes.</summary>
    public static string Quote(string word) =>
        word.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '@' or '/' or ':')
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
