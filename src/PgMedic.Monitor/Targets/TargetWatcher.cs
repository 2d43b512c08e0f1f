using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PgMedic.Monitor.Configuration;
using PgMedic.Monitor.Polling;

namespace PgMedic.Monitor.Targets;

/// <summary>
/// Follows <c>targetDirectory</c> while the monitor runs: a file added, changed or removed there adds,
/// changes or removes its targets within about a second (a file-system notification, and a rescan every
/// second in case one is missed, as on some network file systems). Every file is parsed again once a
/// minute, for password files and <c>.pgpass</c> that changed under the same target file.
/// </summary>
internal sealed class TargetWatcher(MonitorOptions options, TargetDirectory directory, PollingService polling, TimeProvider time, ILoggerFactory loggers) : BackgroundService
{
    private static readonly TimeSpan Rescan = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Reparse = TimeSpan.FromMinutes(1);

    private readonly ILogger _logger = loggers.CreateLogger("PgMedic.Monitor.Targets");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var fixedTargets = options.Targets.Where(t => t.SourceFile is null).ToList();
        using var changed = new SemaphoreSlim(0);
        using var watcher = Watch(changed);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        var parsedAt = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var reparse = time.GetUtcNow() - parsedAt >= Reparse;
                parsedAt = reparse ? time.GetUtcNow() : parsedAt;
                var (targets, errors) = directory.Scan(fixedTargets, reparse);
                var now = new HashSet<string>(errors.Select(e => e.File + "\n" + e.Error), StringComparer.Ordinal);
                foreach (var (file, error) in errors.Where(e => !reported.Contains(e.File + "\n" + e.Error)))
                {
                    MonitorLog.TargetFileRefused(_logger, Path.GetFileName(file), error);
                }

                reported = now;
                if (targets is not null)
                {
                    await polling.ApplyAsync(targets, stoppingToken).ConfigureAwait(false);
                }

                if (await changed.WaitAsync(Rescan, stoppingToken).ConfigureAwait(false))
                {
                    // Let a burst of events (write, then rename) settle into one scan.
                    await Task.Delay(TimeSpan.FromMilliseconds(50), time, stoppingToken).ConfigureAwait(false);
                    while (changed.CurrentCount > 0 && changed.Wait(0))
                    {
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private FileSystemWatcher? Watch(SemaphoreSlim changed)
    {
        if (!Directory.Exists(directory.Path))
        {
            return null;
        }

        var watcher = new FileSystemWatcher(directory.Path)
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size,
            IncludeSubdirectories = false,
        };
        FileSystemEventHandler signal = (_, _) => changed.Release();
        watcher.Created += signal;
        watcher.Changed += signal;
        watcher.Deleted += signal;
        watcher.Renamed += (_, _) => changed.Release();
        watcher.EnableRaisingEvents = true;
        return watcher;
    }
}
