using System.CommandLine;
using PgMedic.Cli.Common;
using PgMedic.Core.Platforms;
using PgMedic.Postgres.Remediation;

namespace PgMedic.Cli.Remediation;

/// <summary>
/// <c>--platform</c> and its names, the restart-database step and <c>--health-url</c>: the preset fills the
/// hooks no explicit option gave, and the hooks run with the PATH pgmedic was given.
/// </summary>
internal sealed class PlatformOptions(bool emergency)
{
    public Option<Platform?> Platform { get; } = new("--platform") { Description = "Fill the hooks with this platform's own commands (explicit hook options win): railway, heroku, render, fly, kubernetes, systemd", HelpName = "platform" };

    public Option<string?> Service { get; } = new("--service") { Description = "With --platform: the application's Railway service, Heroku or Fly app, Render service ID, Kubernetes deployment or systemd unit", HelpName = "name" };

    public Option<string?> DatabaseService { get; } = new("--database-service") { Description = "With --platform: the database's own Railway service, Fly app, Kubernetes StatefulSet or systemd unit (restart-database step)", HelpName = "name" };

    public Option<string?> RestartDatabase { get; } = new("--restart-database-command") { Description = "Shell command that restarts PostgreSQL (runbook 4.3), run after the terminate; then waits until the server accepts connections", HelpName = "command" };

    public Option<TimeSpan> DatabaseWait { get; } = CommonOptions.DurationOption("--database-wait", null, "After restart-database: how long the server may take to accept connections again", TimeSpan.FromMinutes(2));

    public Option<string?> HealRestart { get; } = new("--restart-command") { Description = "Shell command that restarts the application after step 1 (the idle sessions), as the runbook does", HelpName = "command" };

    public Option<string[]> HealthUrls { get; } = new("--health-url") { Description = "Recovery is declared only when this URL answers 2xx with {\"status\": \"healthy\", \"database\": \"connected\"} (repeatable)", HelpName = "url" };

    public Option<TimeSpan> HealthTimeout { get; } = CommonOptions.DurationOption("--health-timeout", null, "How long the health URLs may take to turn healthy", TimeSpan.FromMinutes(1));

    public void AddTo(Command command)
    {
        command.Options.Add(Platform);
        command.Options.Add(Service);
        command.Options.Add(HealthUrls);
        command.Options.Add(HealthTimeout);
        if (emergency)
        {
            command.Options.Add(DatabaseService);
            command.Options.Add(RestartDatabase);
            command.Options.Add(DatabaseWait);
        }
        else
        {
            command.Options.Add(HealRestart);
        }
    }

    /// <summary>The hooks with the preset's commands filling what no explicit option gave.</summary>
    public HookSettings Hooks(ParseResult parseResult, HookSettings explicitHooks, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(explicitHooks);
        var hooks = explicitHooks with
        {
            RestartCommand = emergency ? explicitHooks.RestartCommand : parseResult.GetValue(HealRestart),
            RestartDatabaseCommand = emergency ? parseResult.GetValue(RestartDatabase) : null,
            DatabaseWait = emergency ? parseResult.GetValue(DatabaseWait) : explicitHooks.DatabaseWait,
            Environment = context.Environment("PATH") is { Length: > 0 } path ? new Dictionary<string, string> { ["PATH"] = path } : new Dictionary<string, string>(),
        };
        var platform = parseResult.GetValue(Platform);
        var service = parseResult.GetValue(Service);
        if (platform is null)
        {
            return service is null && (!emergency || parseResult.GetValue(DatabaseService) is null)
                ? hooks
                : throw new UsageException("--service and --database-service name a platform's services: add --platform railway|heroku|render|fly|kubernetes|systemd");
        }

        if (string.IsNullOrWhiteSpace(service))
        {
            throw new UsageException($"--platform {PlatformNames.Of(platform.Value)} needs --service NAME: the application's service, app, deployment or unit the commands act on");
        }

        var preset = PlatformPresets.For(platform.Value, service, emergency ? parseResult.GetValue(DatabaseService) : null);
        if (!emergency)
        {
            // heal only restarts the application; maintenance and the database are emergency's.
            return hooks with { RestartCommand = hooks.RestartCommand ?? preset.RestartApp.Command };
        }

        return hooks.With(preset);
    }

    public IReadOnlyList<Uri> Urls(ParseResult parseResult)
    {
        var urls = new List<Uri>();
        foreach (var text in parseResult.GetValue(HealthUrls) ?? [])
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                throw new UsageException($"--health-url '{text.Split('?')[0]}' is not an http(s) URL: give one such as https://api.example.com/health");
            }

            urls.Add(url);
        }

        return urls;
    }

    public Func<RemediationRequest, RemediationRequest> Configure(ParseResult parseResult, HookSettings hooks) =>
        r => r with { Hooks = hooks, HealthUrls = Urls(parseResult), HealthTimeout = parseResult.GetValue(HealthTimeout) };
}
