namespace PgMedic.Core.Activity;

/// <summary>What <c>pgmedic top</c> shows: one pane or the overview of several.</summary>
public enum TopViewKind
{
    /// <summary>Running, idle in transaction and the lock tree, sharing the screen.</summary>
    Overview,
    Running,
    IdleInTransaction,
    Waiting,
    Blocking,
    LockTree,
}

/// <summary>What the duration column measures (<c>T</c> cycles them).</summary>
public enum DurationMode
{
    /// <summary>Since <c>query_start</c>.</summary>
    Query,

    /// <summary>Since <c>xact_start</c>.</summary>
    Transaction,

    /// <summary>Since <c>backend_start</c>: how long the connection has been open.</summary>
    Backend,
}

/// <summary>The order of a session pane.</summary>
public enum TopSort
{
    Duration,
    State,
    Application,
}

/// <summary>
/// The filters, minimum durations, duration mode and order a frame of <c>pgmedic top</c> is built with;
/// the command line sets them and the keys change them.
/// </summary>
/// <param name="Filter">Database, application, user and state (exact); its <c>MinAge</c> is not used here.</param>
/// <param name="RunningFor">Running pane: only queries running at least this long (cancel's <c>--running-for</c>).</param>
/// <param name="IdleFor">Idle-in-transaction pane: only sessions in that state at least this long (<c>--idle-for</c>).</param>
/// <param name="WaitingFor">Waiting pane and lock tree: only waits (and chains whose longest wait is) at least this long (<c>--waiting-for</c>).</param>
/// <param name="Reversed">The order turned round: by default durations read longest first, names and states A to Z.</param>
public sealed record TopQuery(
    ActivityFilter Filter,
    TimeSpan? RunningFor = null,
    TimeSpan? IdleFor = null,
    TimeSpan? WaitingFor = null,
    DurationMode Mode = DurationMode.Query,
    TopSort Sort = TopSort.Duration,
    bool Reversed = false)
{
    public static TopQuery Default { get; } = new(ActivityFilter.Everything);

    /// <summary>Each mode's short name, as the column header and the status line show it.</summary>
    public static string Name(DurationMode mode) => mode switch
    {
        DurationMode.Query => "query",
        DurationMode.Transaction => "xact",
        _ => "backend",
    };

    public static string Name(TopSort sort) => sort switch
    {
        TopSort.Duration => "duration",
        TopSort.State => "state",
        _ => "application",
    };

    public static string Name(TopViewKind view) => view switch
    {
        TopViewKind.Overview => "overview",
        TopViewKind.Running => "running",
        TopViewKind.IdleInTransaction => "idle in transaction",
        TopViewKind.Waiting => "waiting",
        TopViewKind.Blocking => "blocking",
        _ => "lock tree",
    };
}
