using Npgsql;
using PgMedic.Guard.Holders;
using PgMedic.Guard.Statistics;

namespace PgMedic.Guard.Errors;

/// <summary>
/// No connection became free within the pool timeout. Unlike Npgsql's "pool exhausted" error, the
/// message says how the pool stood and which code holds the oldest connections. It is an
/// <see cref="NpgsqlException"/>, so existing handlers for Npgsql's exhaustion error still catch it.
/// </summary>
public sealed class PoolTimeoutException : NpgsqlException
{
    /// <summary>A checkout that gave up, with the pool and its oldest holders at that moment.</summary>
    /// <param name="message">What happened, with the statistics and holders in words.</param>
    /// <param name="statistics">The pool when the checkout gave up.</param>
    /// <param name="oldestHolders">The holders that had held their connections longest, oldest first.</param>
    public PoolTimeoutException(string message, GuardStatistics statistics, IReadOnlyList<ConnectionHolder> oldestHolders)
        : base(message)
    {
        Statistics = statistics;
        OldestHolders = oldestHolders;
    }

    /// <summary>A checkout that gave up, with no pool details.</summary>
    public PoolTimeoutException()
    {
    }

    /// <summary>A checkout that gave up, with this message and no pool details.</summary>
    /// <param name="message">What happened.</param>
    public PoolTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>A checkout that gave up, with this message and cause and no pool details.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The error that caused it.</param>
    public PoolTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The pool when the checkout gave up.</summary>
    public GuardStatistics? Statistics { get; }

    /// <summary>The holders that had held their connections longest, oldest first.</summary>
    public IReadOnlyList<ConnectionHolder> OldestHolders { get; } = [];

    /// <summary>Waiting again may succeed once a holder returns its connection.</summary>
    public override bool IsTransient => true;
}
