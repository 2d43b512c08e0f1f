using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;

namespace PgMedic.Core.Capacity;

/// <summary>The formats <c>pgmedic advise --emit</c> writes, each ready for its consumer.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EmitFormat>))]
public enum EmitFormat
{
    /// <summary>The runbook's <c>DATABASE_*</c> variables (<c>railway env set</c>, <c>.env</c>).</summary>
    [JsonStringEnumMemberName("env")]
    Env,

    /// <summary>An Npgsql connection string (no password: add it from your secret store).</summary>
    [JsonStringEnumMemberName("npgsql")]
    Npgsql,

    /// <summary>SQLAlchemy <c>create_engine</c> arguments, as runnable Python.</summary>
    [JsonStringEnumMemberName("sqlalchemy")]
    SqlAlchemy,

    /// <summary>HikariCP properties (<c>new HikariConfig(props)</c>).</summary>
    [JsonStringEnumMemberName("hikari")]
    Hikari,

    /// <summary>A PgBouncer <c>[pgbouncer]</c> section.</summary>
    [JsonStringEnumMemberName("pgbouncer")]
    PgBouncer,
}

/// <summary>Where the application connects, for the formats that name it. Never holds a password.</summary>
public sealed record EmitTarget(string Host, int Port, string Database, string? User);

/// <summary>Writes a <see cref="CapacityAdvice"/> in the format a pool or pooler reads.</summary>
public static class CapacityEmitter
{
    public static bool TryParseFormat(string? text, out EmitFormat format)
    {
        format = EmitFormat.Env;
        switch (text?.Trim().ToLowerInvariant())
        {
            case "env":
                format = EmitFormat.Env;
                return true;
            case "npgsql":
                format = EmitFormat.Npgsql;
                return true;
            case "sqlalchemy":
                format = EmitFormat.SqlAlchemy;
                return true;
            case "hikari" or "hikaricp":
                format = EmitFormat.Hikari;
                return true;
            case "pgbouncer":
                format = EmitFormat.PgBouncer;
                return true;
            default:
                return false;
        }
    }

    public static string Emit(CapacityAdvice advice, EmitFormat format, EmitTarget? target)
    {
        ArgumentNullException.ThrowIfNull(advice);
        return format switch
        {
            EmitFormat.Npgsql => Npgsql(advice, target),
            EmitFormat.SqlAlchemy => SqlAlchemy(advice),
            EmitFormat.Hikari => Hikari(advice, target),
            EmitFormat.PgBouncer => PgBouncer(advice),
            _ => Env(advice),
        };
    }

    /// <summary>One line saying where the numbers came from, for the comment at the top of each format.</summary>
    public static string Headline(CapacityAdvice advice)
    {
        ArgumentNullException.ThrowIfNull(advice);
        var pool = advice.Pool;
        var workers = advice.Demand.Workers;
        return Invariant($"pgmedic advise: {workers} worker(s) × (pool {pool.PoolSize} + overflow {pool.MaxOverflow}) = {workers * (pool.PoolSize + pool.MaxOverflow)} of {advice.Slots.ForDeployment} slots left for the deployment ({advice.Slots.Usable} usable)");
    }

    private static string Env(CapacityAdvice advice)
    {
        var pool = advice.Pool;
        var text = new StringBuilder();
        text.Append("# ").Append(Headline(advice)).Append('\n');
        Line(text, $"DATABASE_POOL_SIZE={pool.PoolSize}");
        Line(text, $"DATABASE_MAX_OVERFLOW={pool.MaxOverflow}");
        Line(text, $"DATABASE_POOL_TIMEOUT={pool.PoolTimeoutSeconds}");
        Line(text, $"DATABASE_POOL_RECYCLE={pool.PoolRecycleSeconds}");
        Line(text, $"DATABASE_POOL_PRE_PING=true");
        Line(text, $"DATABASE_CONNECT_TIMEOUT={pool.ConnectTimeoutSeconds}");
        Line(text, $"DATABASE_COMMAND_TIMEOUT={pool.CommandTimeoutSeconds}");
        return text.ToString();
    }

    // Npgsql has no overflow: its Maximum Pool Size is the whole per-worker cap, and Timeout also
    // bounds the wait for a pooled connection.
    private static string Npgsql(CapacityAdvice advice, EmitTarget? target)
    {
        var pool = advice.Pool;
        var parts = new List<string>();
        if (target is not null)
        {
            parts.Add("Host=" + Quote(target.Host));
            parts.Add(Invariant($"Port={target.Port}"));
            parts.Add("Database=" + Quote(target.Database));
            if (target.User is not null)
            {
                parts.Add("Username=" + Quote(target.User));
            }
        }

        parts.Add(Invariant($"Minimum Pool Size=0"));
        parts.Add(Invariant($"Maximum Pool Size={pool.PoolSize + pool.MaxOverflow}"));
        parts.Add(Invariant($"Timeout={pool.PoolTimeoutSeconds}"));
        parts.Add(Invariant($"Command Timeout={pool.CommandTimeoutSeconds}"));
        parts.Add(Invariant($"Connection Idle Lifetime={pool.PoolRecycleSeconds}"));
        parts.Add(Invariant($"Connection Lifetime={pool.PoolRecycleSeconds}"));
        parts.Add("Keepalive=30");
        return string.Join(';', parts) + "\n";
    }

    private static string SqlAlchemy(CapacityAdvice advice)
    {
        var pool = advice.Pool;
        var text = new StringBuilder();
        text.Append("# ").Append(Headline(advice)).Append('\n');
        text.Append("import os\n");
        text.Append("from sqlalchemy import create_engine\n\n");
        text.Append("engine = create_engine(\n");
        text.Append("    os.environ[\"DATABASE_URL\"],\n");
        Line(text, $"    pool_size={pool.PoolSize},");
        Line(text, $"    max_overflow={pool.MaxOverflow},");
        Line(text, $"    pool_timeout={pool.PoolTimeoutSeconds},");
        Line(text, $"    pool_recycle={pool.PoolRecycleSeconds},");
        text.Append("    pool_pre_ping=True,\n");
        Line(text, $"    connect_args={{\"connect_timeout\": {pool.ConnectTimeoutSeconds}, \"options\": \"-c statement_timeout={pool.CommandTimeoutSeconds * 1000}\"}},");
        text.Append(")\n");
        return text.ToString();
    }

    private static string Hikari(CapacityAdvice advice, EmitTarget? target)
    {
        var pool = advice.Pool;
        var text = new StringBuilder();
        text.Append("# ").Append(Headline(advice)).Append('\n');
        if (target is not null)
        {
            var host = target.Host.Contains(':', StringComparison.Ordinal) ? $"[{target.Host}]" : target.Host;
            Line(text, $"jdbcUrl=jdbc:postgresql://{host}:{target.Port}/{Uri.EscapeDataString(target.Database)}");
            if (target.User is not null)
            {
                text.Append("username=").Append(PropertyValue(target.User)).Append('\n');
            }
        }

        // HikariCP has no overflow: maximumPoolSize is the whole cap, minimumIdle the steady pool.
        // maxLifetime must be at least 30 s and keepaliveTime below it; idleTimeout applies only when minimumIdle < maximumPoolSize.
        var lifetimeMs = Math.Max(30, pool.PoolRecycleSeconds) * 1000L;
        Line(text, $"maximumPoolSize={pool.PoolSize + pool.MaxOverflow}");
        Line(text, $"minimumIdle={pool.PoolSize}");
        Line(text, $"connectionTimeout={pool.PoolTimeoutSeconds * 1000}");
        Line(text, $"idleTimeout={Math.Min(lifetimeMs - 10_000, 600_000)}");
        Line(text, $"maxLifetime={lifetimeMs}");
        Line(text, $"keepaliveTime={Math.Min(lifetimeMs / 2, 120_000)}");
        Line(text, $"leakDetectionThreshold={Math.Max(2, pool.CommandTimeoutSeconds * 2) * 1000}");
        Line(text, $"dataSource.options=-c statement_timeout={pool.CommandTimeoutSeconds * 1000}");
        return text.ToString();
    }

    private static string PgBouncer(CapacityAdvice advice)
    {
        var pooler = advice.Pooler;
        var text = new StringBuilder();
        text.Append("[pgbouncer]\n");
        Line(text, $"; pgmedic advise: {advice.Demand.MaxConnections} client connections ({advice.Demand.Workers} worker(s) × {advice.Demand.PoolSize + advice.Demand.MaxOverflow}) onto at most {pooler.MaxDbConnections} server connections ({advice.Slots.Usable} usable slots − {advice.Slots.AdminHeadroom} headroom − {advice.Slots.OtherClients} other)");
        Line(text, $"pool_mode = {pooler.PoolMode}");
        Line(text, $"default_pool_size = {pooler.DefaultPoolSize}");
        Line(text, $"reserve_pool_size = {pooler.ReservePoolSize}");
        text.Append("reserve_pool_timeout = 3\n");
        Line(text, $"max_db_connections = {pooler.MaxDbConnections}");
        Line(text, $"max_client_conn = {pooler.MaxClientConn}");
        Line(text, $"query_wait_timeout = {pooler.QueryWaitTimeoutSeconds}");
        Line(text, $"idle_transaction_timeout = {pooler.IdleTransactionTimeoutSeconds}");
        Line(text, $"server_idle_timeout = {pooler.ServerIdleTimeoutSeconds}");
        Line(text, $"server_lifetime = {pooler.ServerLifetimeSeconds}");
        return text.ToString();
    }

    private static string Quote(string value) =>
        value.Length > 0 && value.IndexOfAny([';', '=', '"', '\'']) < 0 && value.Trim() == value
            ? value
            : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string PropertyValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("=", "\\=", StringComparison.Ordinal).Replace(":", "\\:", StringComparison.Ordinal);

    private static void Line(StringBuilder text, FormattableString line) => text.Append(line.ToString(CultureInfo.InvariantCulture)).Append('\n');

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
