using Microsoft.Extensions.Logging;

namespace PgMedic.Postgres.Sandbox;

internal static partial class SandboxLog
{
    [LoggerMessage(1, LogLevel.Information, "Sandbox PostgreSQL {Version} ready on 127.0.0.1:{Port} in {Directory} after {ElapsedMs} ms")]
    public static partial void Ready(ILogger logger, string version, int port, string directory, long elapsedMs);

    [LoggerMessage(2, LogLevel.Information, "Sandbox on port {Port} stopped and {Directory} removed")]
    public static partial void Stopped(ILogger logger, int port, string directory);

    [LoggerMessage(3, LogLevel.Warning, "Removing sandbox {Directory} left behind by process {OwnerPid}, which is gone")]
    public static partial void RemovingAbandoned(ILogger logger, string directory, int ownerPid);

    [LoggerMessage(4, LogLevel.Warning, "Could not clean up sandbox {Directory}: {Reason}")]
    public static partial void CleanupFailed(ILogger logger, string directory, string reason);

    [LoggerMessage(5, LogLevel.Debug, "Port {Port} was taken before the sandbox could bind it; trying another")]
    public static partial void PortTaken(ILogger logger, int port);
}
