namespace PgMedic.Guard.Statistics;

/// <summary>
/// The pool at one moment, in the runbook's terms (size, checked out, overflow) plus what SQLAlchemy
/// and Npgsql never told: who waits, how many timed out and how many leaked.
/// </summary>
public sealed record GuardStatistics
{
    /// <summary>The pool's name (<see cref="Configuration.GuardOptions.Name"/>), as metrics and <c>/health/pool</c> show it.</summary>
    public required string Name { get; init; }

    /// <summary>Configured pool size (<c>DATABASE_POOL_SIZE</c>, or the last resize).</summary>
    public required int PoolSize { get; init; }

    /// <summary>Configured overflow (<c>DATABASE_MAX_OVERFLOW</c>, or the last resize).</summary>
    public required int MaxOverflow { get; init; }

    /// <summary>Connections checked out now (admitted and not yet closed or disposed).</summary>
    public required int CheckedOut { get; init; }

    /// <summary>Checked out beyond the pool size: <c>max(0, CheckedOut − PoolSize)</c>.</summary>
    public required int Overflow { get; init; }

    /// <summary>Open physical connections kept by Npgsql that nobody has checked out.</summary>
    public required int Idle { get; init; }

    /// <summary>Checkouts queued for a free slot.</summary>
    public required int Waiting { get; init; }

    /// <summary>Checkouts that gave up after the pool timeout, since start.</summary>
    public required long Timeouts { get; init; }

    /// <summary>Checkouts held longer than the leak threshold, since start.</summary>
    public required long Leaks { get; init; }

    /// <summary>Checkouts handed out since start: admitted and their connection open.</summary>
    public required long Checkouts { get; init; }

    /// <summary>
    /// Checkouts admitted whose connection could not be opened (refused, too many clients, timed out
    /// connecting), since start. Every checkout attempt ends in exactly one of <see cref="Checkouts"/>,
    /// <see cref="Timeouts"/> and this, so (timeouts + connect failures) / all three is the service's own
    /// connection failure rate.
    /// </summary>
    public required long ConnectFailures { get; init; }

    /// <summary>Reused connections that failed the pre-ping and were replaced, since start.</summary>
    public required long PrePingReplacements { get; init; }

    /// <summary>True while new checkouts are refused.</summary>
    public required bool Maintenance { get; init; }

    /// <summary>The most that may be checked out at once: <see cref="PoolSize"/> + <see cref="MaxOverflow"/>.</summary>
    public int MaxConnections => PoolSize + MaxOverflow;
}
