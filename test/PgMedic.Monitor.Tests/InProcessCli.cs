using PgMedic.Cli;

namespace PgMedic.Monitor.Tests;

/// <summary>Runs <c>pgmedic</c> in-process on a given clock, with no environment of the machine's, its output piped.</summary>
internal static class InProcessCli
{
    public static async Task<(int ExitCode, string Out, string Error)> RunAsync(TimeProvider time, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var context = new CliContext(output, error, _ => null, Path.Combine(Path.GetTempPath(), "pgmedic-monitor-test-home-does-not-exist"), IsTerminal: false, time);
        var code = await CliApp.RunAsync(args, context);
        return (code, output.ToString(), error.ToString());
    }
}
