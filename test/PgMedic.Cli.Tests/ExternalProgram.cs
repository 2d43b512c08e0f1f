using System.Diagnostics;

namespace PgMedic.Cli.Tests;

/// <summary>A real program the tests hand pgmedic's output to (python3, java, sh, systemd-analyze): its exit code and what it printed.</summary>
internal static class ExternalProgram
{
    /// <param name="environment">Set on top of the test process's own environment.</param>
    /// <param name="drop">Variables of the test process's environment to leave out (the runbook's, libpq's), so only the given ones count.</param>
    public static async Task<(int Exit, string Output)> RunAsync(string file, string[] args, IReadOnlyDictionary<string, string> environment, Func<string, bool>? drop = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var key in info.Environment.Keys.Where(k => drop?.Invoke(k) == true).ToList())
        {
            info.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output + await error);
    }
}
