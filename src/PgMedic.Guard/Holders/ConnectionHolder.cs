namespace PgMedic.Guard.Holders;

/// <summary>One checked-out connection at the moment it was listed.</summary>
/// <param name="Id">A sequence number, unique within the guard.</param>
/// <param name="BackendPid">The server process serving it (<c>pg_stat_activity.pid</c>); 0 while it is still opening.</param>
/// <param name="CallSite">The code that checked it out.</param>
/// <param name="CheckedOutAt">When it was checked out.</param>
/// <param name="Age">How long it has been held.</param>
/// <param name="Leaked">True once it has been held longer than the leak threshold and reported.</param>
/// <param name="StackTrace">The stack at checkout, when stack traces were captured for it.</param>
public sealed record ConnectionHolder(
    long Id,
    int BackendPid,
    CallSite CallSite,
    DateTimeOffset CheckedOutAt,
    TimeSpan Age,
    bool Leaked,
    string? StackTrace);
