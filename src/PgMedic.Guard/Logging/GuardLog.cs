using Microsoft.Extensions.Logging;

namespace PgMedic.Guard.Logging;

internal static partial class GuardLog
{
    [LoggerMessage(1, LogLevel.Warning, "Connection leak suspected in pool {Pool}: checkout #{Id} by {Member} at {File}:{Line} (backend PID {Pid}) has been held for {AgeSeconds:0.0} s, longer than the leak threshold of {ThresholdSeconds:0.0} s{StackTrace}")]
    public static partial void LeakSuspected(ILogger logger, string pool, long id, string member, string file, int line, int pid, double ageSeconds, double thresholdSeconds, string stackTrace);

    [LoggerMessage(2, LogLevel.Information, "Previously reported leak in pool {Pool} returned: checkout #{Id} by {Member} at {File}:{Line} (backend PID {Pid}) after {AgeSeconds:0.0} s")]
    public static partial void LeakReturned(ILogger logger, string pool, long id, string member, string file, int line, int pid, double ageSeconds);

    [LoggerMessage(3, LogLevel.Information, "Pool {Pool} checkout #{Id} by {Member} at {File}:{Line}: backend PID {Pid}, waited {WaitMs:0.0} ms; checked out {CheckedOut}/{Max}")]
    public static partial void EchoCheckout(ILogger logger, string pool, long id, string member, string file, int line, int pid, double waitMs, int checkedOut, int max);

    [LoggerMessage(4, LogLevel.Information, "Pool {Pool} return #{Id} by {Member} at {File}:{Line}: backend PID {Pid}, held {HeldMs:0.0} ms; checked out {CheckedOut}/{Max}")]
    public static partial void EchoReturn(ILogger logger, string pool, long id, string member, string file, int line, int pid, double heldMs, int checkedOut, int max);

    [LoggerMessage(5, LogLevel.Warning, "Pool {Pool} timed out a checkout by {Member} at {File}:{Line} after {TimeoutSeconds:0.###} s: {CheckedOut} checked out, {Waiting} waiting")]
    public static partial void CheckoutTimedOut(ILogger logger, string pool, string member, string file, int line, double timeoutSeconds, int checkedOut, int waiting);

    [LoggerMessage(6, LogLevel.Warning, "Pool {Pool} pre-ping failed on backend PID {Pid} after {IdleSeconds:0.0} s idle; idle connections cleared and a new one opened")]
    public static partial void PrePingReplaced(ILogger logger, string pool, int pid, double idleSeconds, Exception exception);

    [LoggerMessage(7, LogLevel.Warning, "Pool {Pool} entered maintenance mode: new checkouts are refused ({Reason}); {CheckedOut} checked out will finish")]
    public static partial void MaintenanceEntered(ILogger logger, string pool, string reason, int checkedOut);

    [LoggerMessage(8, LogLevel.Information, "Pool {Pool} left maintenance mode")]
    public static partial void MaintenanceLeft(ILogger logger, string pool);

    [LoggerMessage(9, LogLevel.Information, "Pool {Pool} resized from {OldSize}+{OldOverflow} to {NewSize}+{NewOverflow}")]
    public static partial void Resized(ILogger logger, string pool, int oldSize, int oldOverflow, int newSize, int newOverflow);
}
