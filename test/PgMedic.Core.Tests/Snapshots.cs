using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Tests;

/// <summary>Builds snapshots for pure rule tests. Times are relative to <see cref="Now"/>.</summary>
internal static class Snapshots
{
    public static readonly DateTimeOffset Now = new(2026, 11, 27, 3, 0, 0, TimeSpan.Zero);

    private static int _nextPid = 1000;

    public static Snapshot Of(ServerInfo server, params SessionInfo[] sessions) => new()
    {
        TakenAt = Now,
        Server = server,
        Sessions = sessions,
        Timeouts = new SessionTimeouts(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero),
        Visibility = new Visibility(true, []),
        CollectorPid = 1,
    };

    public static ServerInfo Server(int max = 100, int superuserReserved = 3, int reserved = 0) => new("16.4", 160004, max, superuserReserved, reserved);

    public static SessionInfo Client(string state, TimeSpan inState, string application = "api", string user = "app", string database = "shop", TimeSpan? queryAge = null, TimeSpan? transactionAge = null, int? pid = null, string backendType = BackendTypes.ClientBackend, bool superuser = false, params int[] blockedBy) => new()
    {
        Pid = pid ?? Interlocked.Increment(ref _nextPid),
        BackendType = backendType,
        State = state,
        ApplicationName = application,
        User = user,
        IsSuperuser = superuser,
        Database = database,
        ClientAddress = "10.0.0.7",
        StateChange = Now - inState,
        QueryStart = Now - (queryAge ?? inState),
        TransactionStart = transactionAge is { } t ? Now - t : (SessionStates.IsIdleInTransaction(state) ? Now - inState - TimeSpan.FromSeconds(1) : null),
        BackendStart = Now - TimeSpan.FromHours(1),
        BlockedBy = blockedBy,
        WaitEventType = blockedBy.Length > 0 ? "Lock" : null,
        WaitEvent = blockedBy.Length > 0 ? "transactionid" : null,
        Query = "SELECT 1",
    };

    public static SessionInfo[] Many(int count, string state, TimeSpan inState, string application = "api") =>
        Enumerable.Range(0, count).Select(_ => Client(state, inState, application)).ToArray();
}
