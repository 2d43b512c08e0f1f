using System.Diagnostics;
using System.Text;

namespace PgMedic.Postgres.Remediation;

/// <summary>What a hook command did.</summary>
public sealed record HookResult(string Name, string Command, int ExitCode, bool TimedOut, string Output, double ElapsedMilliseconds)
{
    public bool Succeeded => ExitCode == 0 && !TimedOut;
}

/// <summary>
/// Runs the user's restart and maintenance commands (<c>/bin/sh -c</c>) with a timeout, incident details
/// in <c>PGMEDIC_*</c> environment variables, and output captured for the audit log.
/// </summary>
public static class HookRunner
{
    private const int MaxOutput = 8192;

    public static async Task<HookResult> RunAsync(string name, string command, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var info = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var output = new StringBuilder();
        void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                if (output.Length < MaxOutput)
                {
                    output.AppendLine(line);
                }
            }
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            process.WaitForExit();
        }
        catch (OperationCanceledException)
        {
            // Timed out, or PgMedic itself was cancelled (Ctrl+C, SIGTERM): either way the hook must not
            // go on unsupervised.
            timedOut = !cancellationToken.IsCancellationRequested;
            KillQuietly(process);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        string text;
        lock (output)
        {
            text = output.ToString().TrimEnd();
        }

        return new HookResult(name, command, timedOut ? -1 : process.ExitCode, timedOut, text, stopwatch.Elapsed.TotalMilliseconds);
    }

    internal static void KillQuietly(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
    }
}
