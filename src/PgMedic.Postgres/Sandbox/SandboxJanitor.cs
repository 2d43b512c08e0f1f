using Microsoft.Extensions.Logging;
using PgMedic.Postgres.Processes;

namespace PgMedic.Postgres.Sandbox;

/// <summary>
/// Removes sandboxes that an earlier run left behind when it crashed or was killed: stops their
/// server and deletes their directory. Sandboxes whose owner still runs, or marked "keep", are left alone.
/// </summary>
public static class SandboxJanitor
{
    public const string DirectoryPrefix = "pgmedic-sandbox-";

    /// <returns>The directories that were removed.</returns>
    public static async Task<IReadOnlyList<string>> CleanUpAbandonedAsync(string tempRoot, PostgresBinaries binaries, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(binaries);
        ArgumentNullException.ThrowIfNull(logger);
        var removed = new List<string>();
        if (!Directory.Exists(tempRoot))
        {
            return removed;
        }

        foreach (var directory in Directory.GetDirectories(tempRoot, DirectoryPrefix + "*"))
        {
            if (SandboxOwner.IsKept(directory) || SandboxOwner.GoneOwner(directory) is not { } ownerPid)
            {
                continue;
            }

            SandboxLog.RemovingAbandoned(logger, directory, ownerPid);
            await StopServerAsync(binaries, directory, cancellationToken).ConfigureAwait(false);
            if (TryDelete(directory, logger))
            {
                removed.Add(directory);
            }
        }

        return removed;
    }

    /// <summary>Stops the server of a sandbox directory, if one runs: fast first, then immediate, then SIGKILL.</summary>
    internal static async Task StopServerAsync(PostgresBinaries binaries, string sandboxDirectory, CancellationToken cancellationToken)
    {
        var dataDirectory = Path.Combine(sandboxDirectory, PostgresSandbox.DataDirectoryName);
        if (ReadPostmasterPid(dataDirectory) is not { } postmasterPid)
        {
            return;
        }

        foreach (var mode in new[] { "fast", "immediate" })
        {
            var result = await CommandRunner.RunAsync(
                binaries.PgCtl, ["stop", "-D", dataDirectory, "-m", mode, "-w", "-t", "15"], sandboxDirectory, TimeSpan.FromSeconds(20), asServerUser: true, cancellationToken).ConfigureAwait(false);
            if (result.Succeeded || !IsAlive(postmasterPid))
            {
                return;
            }
        }

        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(postmasterPid);
            process.Kill(entireProcessTree: true);
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
    }

    internal static int? ReadPostmasterPid(string dataDirectory)
    {
        try
        {
            var firstLine = File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).FirstOrDefault();
            return int.TryParse(firstLine, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>True while the process runs; a zombie (stopped, waiting for a parent to reap it) is not alive.</summary>
    internal static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var afterName = stat.LastIndexOf(')');
            return afterName > 0 && afterName + 2 < stat.Length && stat[afterName + 2] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    internal static bool TryDelete(string directory, ILogger logger)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
            return true;
        }
        catch (IOException ex)
        {
            SandboxLog.CleanupFailed(logger, directory, ex.Message);
        }
        catch (UnauthorizedAccessException ex)
        {
            SandboxLog.CleanupFailed(logger, directory, ex.Message);
        }

        return false;
    }
}
