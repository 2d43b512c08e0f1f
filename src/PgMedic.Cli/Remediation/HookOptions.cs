using System.CommandLine;
using System.Text.Json;
using PgMedic.Cli.Common;
using PgMedic.Cli.Output;
using PgMedic.Core.Common;
using PgMedic.Postgres.Remediation;

namespace PgMedic.Cli.Remediation;

/// <summary>The hooks file (<c>--hooks FILE</c>): the same settings as the command-line options, which win.</summary>
internal sealed record HooksFile(string? RestartCommand, string? MaintenanceOnCommand, string? MaintenanceOffCommand, string? HookTimeout);

/// <summary>The hook options of <c>emergency</c>: the engine's <see cref="HookSettings"/>, from options or a hooks file.</summary>
internal sealed class HookOptions
{
    public Option<string?> RestartOption { get; } = new("--restart-command") { Description = "Shell command that restarts the application (e.g. 'systemctl restart api', 'kubectl rollout restart deploy/api')", HelpName = "command" };

    public Option<string?> MaintenanceOnOption { get; } = new("--maintenance-on-command") { Description = "Shell command that turns maintenance mode on (e.g. 'railway env set MAINTENANCE_MODE=true')", HelpName = "command" };

    public Option<string?> MaintenanceOffOption { get; } = new("--maintenance-off-command") { Description = "Shell command that turns maintenance mode off", HelpName = "command" };

    public Option<string?> FileOption { get; } = new("--hooks") { Description = "JSON file with restartCommand, maintenanceOnCommand, maintenanceOffCommand, hookTimeout", HelpName = "file" };

    public Option<TimeSpan> TimeoutOption { get; } = CommonOptions.DurationOption("--hook-timeout", "--ht", "How long each hook may run", TimeSpan.FromMinutes(2));

    public void AddTo(Command command)
    {
        command.Options.Add(RestartOption);
        command.Options.Add(MaintenanceOnOption);
        command.Options.Add(MaintenanceOffOption);
        command.Options.Add(FileOption);
        command.Options.Add(TimeoutOption);
    }

    public HookSettings Read(ParseResult parseResult)
    {
        var file = parseResult.GetValue(FileOption) is { } path ? ReadFile(path) : null;

        var timeout = parseResult.GetResult(TimeoutOption) is { Implicit: false } || file?.HookTimeout is null
            ? parseResult.GetValue(TimeoutOption)
            : Duration.TryParse(file.HookTimeout, out var fromFile) && fromFile > TimeSpan.Zero
                ? fromFile
                : throw new UsageException($"hookTimeout '{file.HookTimeout}' in the hooks file is not a duration such as 90s or 2m");
        return new HookSettings(
            parseResult.GetValue(RestartOption) ?? file?.RestartCommand,
            parseResult.GetValue(MaintenanceOnOption) ?? file?.MaintenanceOnCommand,
            parseResult.GetValue(MaintenanceOffOption) ?? file?.MaintenanceOffCommand,
            timeout);
    }

    private static readonly string[] FileKeys = ["restartCommand", "maintenanceOnCommand", "maintenanceOffCommand", "hookTimeout"];

    private const string FileShape = "write {\"restartCommand\": \"…\", \"maintenanceOnCommand\": \"…\", \"maintenanceOffCommand\": \"…\", \"hookTimeout\": \"2m\"}";

    /// <summary>The hooks file, every unknown key refused by name: a typo'd key would otherwise drop a hook silently.</summary>
    private static HooksFile? ReadFile(string path)
    {
        try
        {
            var text = File.ReadAllText(path);
            using (var document = JsonDocument.Parse(text))
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new UsageException($"--hooks '{path}' is not a JSON object: {FileShape}");
                }

                var unknown = document.RootElement.EnumerateObject()
                    .Where(p => !FileKeys.Contains(p.Name, StringComparer.Ordinal))
                    .Select(p => EditDistance.Nearest(p.Name, FileKeys, Math.Max(2, p.Name.Length / 3)) is { } nearest
                        ? $"unknown key '{p.Name}' — did you mean '{nearest}'?"
                        : $"unknown key '{p.Name}': the keys are {string.Join(", ", FileKeys)}")
                    .ToList();
                if (unknown.Count > 0)
                {
                    throw new UsageException($"--hooks '{path}': {string.Join("; ", unknown)}");
                }
            }

            return JsonSerializer.Deserialize(text, CliJsonContext.Dialect.HooksFile);
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException or InvalidOperationException)
        {
            throw new UsageException($"--hooks '{path}' could not be read as JSON ({ex.Message.ReplaceLineEndings(" ")}): {FileShape}");
        }
    }
}
