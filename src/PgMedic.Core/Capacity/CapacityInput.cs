using PgMedic.Core.Diagnosis;
using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Capacity;

/// <summary>The deployment's shape, as the user describes it to <c>pgmedic advise</c>.</summary>
/// <param name="Workers">Processes (or pods × processes) that each hold their own pool.</param>
/// <param name="PoolSize">Each worker's pool size today (SQLAlchemy <c>pool_size</c>, HikariCP <c>maximumPoolSize</c>); null when unknown.</param>
/// <param name="MaxOverflow">Each worker's overflow today (SQLAlchemy <c>max_overflow</c>); null when unknown.</param>
/// <param name="Cores">CPU cores of the database server, for the "cores × 2" rule; null when unknown.</param>
/// <param name="Application">The deployment's <c>application_name</c>, to tell its sessions from other clients; null when unknown.</param>
public sealed record DeploymentShape(int Workers, int? PoolSize, int? MaxOverflow, int? Cores, string? Application = null)
{
    /// <summary>SQLAlchemy's defaults, assumed when the user does not say (pool_size 5, max_overflow 10).</summary>
    public const int DefaultPoolSize = 5;

    public const int DefaultMaxOverflow = 10;

    public int EffectivePoolSize => PoolSize ?? DefaultPoolSize;

    public int EffectiveMaxOverflow => MaxOverflow ?? DefaultMaxOverflow;

    /// <summary>Every value out of its range at once, or an empty list; each door names the setting its own way.</summary>
    public IReadOnlyList<ShapeError> Validate()
    {
        var errors = new List<ShapeError>();
        Check(ShapeField.Workers, Workers, 1, 100_000);
        Check(ShapeField.PoolSize, PoolSize, 1, 100_000);
        Check(ShapeField.MaxOverflow, MaxOverflow, 0, 100_000);
        Check(ShapeField.Cores, Cores, 1, 4096);
        return errors;

        void Check(ShapeField field, int? value, int min, int max)
        {
            if (value is { } v && (v < min || v > max))
            {
                errors.Add(new ShapeError(field, v, min, max));
            }
        }
    }
}

/// <summary>The parts of a <see cref="DeploymentShape"/>.</summary>
public enum ShapeField
{
    Workers,
    PoolSize,
    MaxOverflow,
    Cores,
}

/// <summary>A value of the deployment's shape outside its range.</summary>
public sealed record ShapeError(ShapeField Field, int Was, int Min, int Max);

/// <summary>What the server showed: its limits, how busy it was, and the timeouts it enforces.</summary>
/// <param name="PeakClients">Client backends at the busiest moment seen (one snapshot: now).</param>
/// <param name="PeakActive">Active client backends at that moment.</param>
/// <param name="IdleRatio">Share of client backends idle (0–1).</param>
/// <param name="OtherClients">Client backends that are not the deployment's (other applications, admins); they need slots too.</param>
public sealed record ServerObservation(
    ServerInfo Server,
    SessionTimeouts Timeouts,
    int PeakClients,
    int PeakActive,
    int IdleInTransaction,
    double IdleRatio,
    int OtherClients,
    string Source)
{
    /// <summary>
    /// The observation from days of the monitor's history instead of one moment: the peak of client backends,
    /// of active ones and of idle-in-transaction ones, the idle share over every sample, and the other
    /// applications' need as the sum of their 99th percentiles. The server's limits and timeouts come from
    /// <paramref name="snapshot"/> (the server as it is now).
    /// </summary>
    public static ServerObservation FromHistory(Snapshot snapshot, CapacityHistory history, string? application)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(history);
        var days = (history.To - history.From).TotalDays;
        return new ServerObservation(
            snapshot.Server,
            snapshot.Timeouts,
            history.Peak,
            history.PeakActive,
            history.PeakIdleInTransaction,
            history.IdleRatio,
            application is null ? 0 : history.OtherThan(application),
            $"the monitor's history of {history.Target}: {history.Samples} samples over {days.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} days ({history.From:yyyy-MM-dd HH:mm} to {history.To:yyyy-MM-dd HH:mm} UTC)");
    }

    /// <summary>Reads the observation from one snapshot; <paramref name="application"/> names the deployment's own sessions.</summary>
    public static ServerObservation FromSnapshot(Snapshot snapshot, string? application)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var clients = snapshot.ClientBackends.ToList();
        var idle = clients.Count(s => s.State == SessionStates.Idle);

        // Sessions this role cannot tell from background workers are sized as clients: they may need slots.
        var hidden = snapshot.Sessions.Where(ClientBackendRange.MayBeClientBackend).ToList();
        var others = application is null ? 0 : clients.Concat(hidden).Count(s => !string.Equals(s.ApplicationName, application, StringComparison.Ordinal));
        return new ServerObservation(
            snapshot.Server,
            snapshot.Timeouts,
            clients.Count + hidden.Count,
            clients.Count(s => s.State == SessionStates.Active),
            clients.Count(s => SessionStates.IsIdleInTransaction(s.State)),
            clients.Count == 0 ? 0 : Math.Round((double)idle / clients.Count, 3),
            others,
            hidden.Count == 0
                ? $"snapshot at {snapshot.TakenAt:yyyy-MM-dd HH:mm:ss} UTC"
                : $"snapshot at {snapshot.TakenAt:yyyy-MM-dd HH:mm:ss} UTC, counting {hidden.Count} session(s) of other roles whose type this role cannot see as clients");
    }
}
