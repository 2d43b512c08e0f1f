using PgMedic.Core.Snapshots;

namespace PgMedic.Testing;

/// <summary>Hand-made snapshots for pure tests of views and rules: sessions aged relative to <see cref="Now"/>.</summary>
public static class FakeSnapshots
{
    public static readonly DateTimeOffset Now = new(2025, 7, 31, 3, 0, 0, TimeSpan.Zero);

    public static Snapshot Of(IReadOnlyList<SessionInfo> sessions, int maxConnections = 40, int superuserReserved = 3) => new()
    {
        TakenAt = Now,
        Server = new ServerInfo("15.18", 150018, maxConnections, superuserReserved, 0),
        Sessions = sessions,
        Timeouts = new SessionTimeouts(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero),
        CollectorPid = 999,
        TargetDatabase = "shop",
        Visibility = new Visibility(true, []),
    };

    /// <summary>A client backend in <paramref name="state"/> since <paramref name="inState"/> ago, its transaction and query started earlier as given.</summary>
    public static SessionInfo Client(
        int pid,
        string? state,
        TimeSpan inState,
        string application = "api",
        TimeSpan? transaction = null,
        TimeSpan? query = null,
        string user = "app",
        string database = "shop",
        string? queryText = "SELECT 1",
        IReadOnlyList<int>? blockedBy = null) => new()
        {
            Pid = pid,
            BackendType = BackendTypes.ClientBackend,
            State = state,
            Database = database,
            User = user,
            ApplicationName = application,
            ClientAddress = "10.0.0.7",
            ClientPort = 50000 + pid,
            BackendStart = Now - inState - TimeSpan.FromMinutes(1),
            StateChange = Now - inState,
            TransactionStart = transaction is { } t ? Now - t : null,
            QueryStart = Now - (query ?? inState),
            WaitEventType = blockedBy is { Count: > 0 } ? "Lock" : null,
            WaitEvent = blockedBy is { Count: > 0 } ? "transactionid" : null,
            Query = queryText,
            BlockedBy = blockedBy ?? [],
        };

    public static SessionInfo Background(int pid, string backendType = BackendTypes.AutovacuumWorker) => new()
    {
        Pid = pid,
        BackendType = backendType,
        BackendStart = Now - TimeSpan.FromHours(1),
    };
}
