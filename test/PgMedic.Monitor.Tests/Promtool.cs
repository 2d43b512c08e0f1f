using System.Diagnostics;

namespace PgMedic.Monitor.Tests;

/// <summary>Prometheus's own checker (Debian's prometheus package): a missing promtool fails the test with the install line.</summary>
internal static class Promtool
{
    public static async Task<(int Code, string Output)> RunAsync(string[] args, string? input = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(ToolPaths.Require("/usr/bin/promtool", "prometheus"))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
