using System.CommandLine;
using System.Globalization;
using PgMedic.Cli.Common;
using PgMedic.Core.Common;
using PgMedic.Postgres.Sandbox;

namespace PgMedic.Cli.Sandbox;

/// <summary><c>pgmedic sandbox</c>: a throwaway PostgreSQL to try every command on, until Ctrl+C.</summary>
internal static class SandboxCommand
{
    public static Command Create(CliContext context)
    {
        var maxConnections = new Option<int>("--max-connections", "-n")
        {
            Description = "The sandbox's max_connections (default 20)",
            HelpName = "n",
            DefaultValueFactory = _ => 20,
        };
        var settings = new Option<string[]>("--setting", "-c")
        {
            Description = "Any other server setting as name=value (repeatable), e.g. -c idle_in_transaction_session_timeout=60s",
            HelpName = "name=value",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("sandbox", "Start a throwaway PostgreSQL on 127.0.0.1 and keep it running until Ctrl+C; its directory is removed when it stops.")
        {
            maxConnections,
            settings,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var options = new SandboxOptions
            {
                MaxConnections = parseResult.GetValue(maxConnections),
                Settings = ParseSettings(parseResult.GetValue(settings) ?? []),
            };
            await using var sandbox = await PostgresSandbox.StartAsync(options, cancellationToken: cancellationToken);
            var output = context.Out;
            output.WriteLine($"Sandbox PostgreSQL {sandbox.ServerVersion} is running on 127.0.0.1:{sandbox.Port} (max_connections={options.MaxConnections}, data in {sandbox.Directory}).");
            output.WriteLine($"  URL (masked, safe to share):      {sandbox.SuperuserTarget.Masked}");
            output.WriteLine($"  URL (CONTAINS THE PASSWORD):      {sandbox.SuperuserTarget.ToUrl()}");
            output.WriteLine($"Try:  pgmedic probe '{sandbox.SuperuserTarget.ToUrl()}'");
            output.WriteLine("Press Ctrl+C to stop it and remove its directory.");
            output.Flush();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                output.WriteLine("Stopping the sandbox…");
            }

            return (int)ExitCode.Ok;
        });
        return command;
    }

    private static Dictionary<string, string> ParseSettings(IEnumerable<string> pairs)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new UsageException($"--setting '{pair}' is not name=value: write it like -c idle_in_transaction_session_timeout=60s");
            }

            result[pair[..equals].Trim()] = pair[(equals + 1)..].Trim();
        }

        return result;
    }
}
