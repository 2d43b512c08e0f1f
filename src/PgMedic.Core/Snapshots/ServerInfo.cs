namespace PgMedic.Core.Snapshots;

/// <summary>The server settings that decide when it starts refusing connections.</summary>
/// <param name="ReservedConnections">PostgreSQL 16+ <c>reserved_connections</c>; 0 before.</param>
public sealed record ServerInfo(
    string Version,
    int VersionNumber,
    int MaxConnections,
    int SuperuserReservedConnections,
    int ReservedConnections)
{
    /// <summary>
    /// Slots an ordinary role can take: <c>max_connections − superuser_reserved_connections − reserved_connections</c>.
    /// check_postgres and pgwatch divide by <c>max_connections</c> and so report 85 % when the server already refuses.
    /// </summary>
    public int UsableSlots => Math.Max(0, MaxConnections - SuperuserReservedConnections - ReservedConnections);

    /// <summary><c>max_worker_processes</c>: at most this many background workers (parallel, logical replication…) run; null when not read.</summary>
    public int? MaxWorkerProcesses { get; init; }

    /// <summary><c>max_wal_senders</c>: at most this many walsenders run; null when not read.</summary>
    public int? MaxWalSenders { get; init; }
}
