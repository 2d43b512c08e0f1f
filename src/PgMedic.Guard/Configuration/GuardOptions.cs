using System.Globalization;

namespace PgMedic.Guard.Configuration;

/// <summary>
/// Settings of a <see cref="GuardedDataSource"/>. Defaults are the runbook's "optimal settings"
/// (pool 20, overflow 10, timeout 30 s, recycle 300 s). Each property names the environment variable
/// that sets it; <see cref="GuardOptionsReader"/> reads them.
/// </summary>
public sealed class GuardOptions
{
    /// <summary><c>DATABASE_URL</c>: a <c>postgres://</c> URL or an Npgsql connection string.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The pool's name in metrics, logs and <c>/health/pool</c>.</summary>
    public string Name { get; set; } = "pgmedic-guard";

    /// <summary><c>DATABASE_POOL_SIZE</c>: connections that may be checked out before overflow begins.</summary>
    public int PoolSize { get; set; } = 20;

    /// <summary><c>DATABASE_MAX_OVERFLOW</c>: extra checkouts allowed beyond <see cref="PoolSize"/>.</summary>
    public int MaxOverflow { get; set; } = 10;

    /// <summary><c>DATABASE_POOL_TIMEOUT</c>: how long a checkout waits for a free slot before it fails.</summary>
    public TimeSpan PoolTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary><c>DATABASE_POOL_RECYCLE</c>: the longest a physical connection lives; zero turns recycling off.</summary>
    public TimeSpan PoolRecycle { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary><c>DATABASE_CONNECT_TIMEOUT</c>: how long opening a new physical connection may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary><c>DATABASE_COMMAND_TIMEOUT</c>: the default command timeout; zero means none.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary><c>DATABASE_POOL_PRE_PING</c>: validate a reused connection before handing it out.</summary>
    public bool PrePing { get; set; }

    /// <summary>
    /// With <see cref="PrePing"/>, only connections that sat idle at least this long are pinged.
    /// Zero (the default) pings every reused connection, as SQLAlchemy does.
    /// </summary>
    public TimeSpan PrePingIdleThreshold { get; set; } = TimeSpan.Zero;

    /// <summary><c>DATABASE_ECHO_POOL</c>: log every checkout and return.</summary>
    public bool EchoPool { get; set; }

    /// <summary><c>MAINTENANCE_MODE</c>: start with new checkouts refused.</summary>
    public bool MaintenanceMode { get; set; }

    /// <summary><c>DATABASE_LEAK_THRESHOLD</c>: a checkout held longer is reported as a leak; zero turns detection off.</summary>
    public TimeSpan LeakThreshold { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary><c>DATABASE_LEAK_STACK_TRACES</c> (<c>off</c>, <c>all</c> or a number N for one in N).</summary>
    public StackTraceMode StackTraces { get; set; } = StackTraceMode.Off;

    /// <summary>With <see cref="StackTraceMode.Sampled"/>, one checkout in this many captures a stack trace.</summary>
    public int StackTraceSampleRate { get; set; } = 100;

    /// <summary>The most connections checked out at once: <see cref="PoolSize"/> + <see cref="MaxOverflow"/>.</summary>
    public int MaxConnections => PoolSize + MaxOverflow;

    /// <summary>Every problem with these settings at once (an empty list when they are valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            errors.Add($"{GuardVariables.DatabaseUrl} is not set: give a postgres:// URL or an Npgsql connection string");
        }

        if (string.IsNullOrWhiteSpace(Name))
        {
            errors.Add("Name must not be empty");
        }

        Range(errors, GuardVariables.PoolSize, PoolSize, 1, Limits.MaxPoolSize);
        Range(errors, GuardVariables.MaxOverflow, MaxOverflow, 0, Limits.MaxPoolSize);
        Duration(errors, GuardVariables.PoolTimeout, PoolTimeout, TimeSpan.FromMilliseconds(1), Limits.LongestWait, "more than 0");
        Duration(errors, GuardVariables.PoolRecycle, PoolRecycle, TimeSpan.Zero, Limits.LongestWait, "0 (off) or more");
        Duration(errors, GuardVariables.ConnectTimeout, ConnectTimeout, TimeSpan.FromSeconds(1), Limits.LongestConnectTimeout, "at least 1 second");
        Duration(errors, GuardVariables.CommandTimeout, CommandTimeout, TimeSpan.Zero, Limits.LongestWait, "0 (none) or more");
        Duration(errors, GuardVariables.LeakThreshold, LeakThreshold, TimeSpan.Zero, Limits.LongestWait, "0 (off) or more");
        Duration(errors, nameof(PrePingIdleThreshold), PrePingIdleThreshold, TimeSpan.Zero, Limits.LongestWait, "0 or more");
        if (!Enum.IsDefined(StackTraces))
        {
            errors.Add($"{GuardVariables.LeakStackTraces} must be off, all or a whole number N for one in N (was {StackTraces})");
        }

        Range(errors, nameof(StackTraceSampleRate), StackTraceSampleRate, 1, int.MaxValue);
        return errors;
    }

    /// <summary>A copy, so that later changes to this object do not reach a running guard.</summary>
    public GuardOptions Clone() => (GuardOptions)MemberwiseClone();

    private static void Range(List<string> errors, string name, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{name} must be a whole number from {min} to {max} (was {value})"));
        }
    }

    private static void Duration(List<string> errors, string name, TimeSpan value, TimeSpan min, TimeSpan max, string allowed)
    {
        if (value < min || value > max)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{name} must be {allowed} and at most {max.TotalSeconds:0.###} seconds (was {value.TotalSeconds:0.###} seconds)"));
        }
    }
}
