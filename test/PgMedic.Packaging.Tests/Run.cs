using System.Diagnostics;

namespace PgMedic.Packaging.Tests;

/// <summary>One finished process: what it printed and returned.</summary>
internal sealed record Run(string Command, int ExitCode, string Out, string Error)
{
    public string All => Out + Error;

    /// <summary>Runs a program to its end (no standard input), killing it after <paramref name="timeout"/>.</summary>
    public static async Task<Run> ExecAsync(string file, IEnumerable<string> args, TimeSpan? timeout = null, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("DATABASE_URL");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var command = file + " " + string.Join(' ', info.ArgumentList);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + command);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"{command} did not finish within {timeout}; it printed:\n{await output}{await error}");
        }

        return new Run(command, process.ExitCode, await output, await error);
    }

    public static Task<Run> ExecAsync(string file, params string[] args) => ExecAsync(file, args, null);

    /// <summary>Asserts exit code 0, showing the command and its output otherwise.</summary>
    public Run Succeeded()
    {
        Assert.True(ExitCode == 0, $"{Command} exited {ExitCode}:\n{All}");
        return this;
    }
}
