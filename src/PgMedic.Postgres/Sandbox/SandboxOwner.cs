using System.Diagnostics;
using System.Globalization;

namespace PgMedic.Postgres.Sandbox;

/// <summary>
/// The "owner" file in a sandbox directory: which process made it. A sandbox whose owner is gone was
/// left by a crashed run and may be removed; one with a "keep" file was left on purpose.
/// </summary>
internal static class SandboxOwner
{
    public const string OwnerFileName = "owner";
    public const string KeepFileName = "keep";

    public static void Write(string sandboxDirectory)
    {
        using var self = Process.GetCurrentProcess();
        var content = string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId} {self.StartTime.ToUniversalTime().Ticks}");
        File.WriteAllText(Path.Combine(sandboxDirectory, OwnerFileName), content);
    }

    public static bool IsKept(string sandboxDirectory) => File.Exists(Path.Combine(sandboxDirectory, KeepFileName));

    public static void MarkKept(string sandboxDirectory) => File.WriteAllText(Path.Combine(sandboxDirectory, KeepFileName), "left running on purpose\n");

    /// <summary>The owner's PID when it is gone, or null while it still runs (or the file is unreadable but fresh).</summary>
    public static int? GoneOwner(string sandboxDirectory)
    {
        var path = Path.Combine(sandboxDirectory, OwnerFileName);
        string[] parts;
        try
        {
            parts = File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (IOException)
        {
            return OldEnoughToBeAbandoned(sandboxDirectory) ? -1 : null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var startTicks))
        {
            return OldEnoughToBeAbandoned(sandboxDirectory) ? -1 : null;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            // A reused PID belongs to a process that started at another time.
            var sameProcess = Math.Abs(process.StartTime.ToUniversalTime().Ticks - startTicks) < TimeSpan.TicksPerSecond;
            return sameProcess ? null : pid;
        }
        catch (ArgumentException)
        {
            return pid;
        }
        catch (InvalidOperationException)
        {
            return pid;
        }
    }

    // A directory without a readable owner file is either being created right now or was abandoned
    // during creation; only the second is old.
    private static bool OldEnoughToBeAbandoned(string sandboxDirectory) =>
        Directory.GetLastWriteTimeUtc(sandboxDirectory) < TimeProvider.System.GetUtcNow().UtcDateTime.AddMinutes(-10);
}
