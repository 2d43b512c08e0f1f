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
/// <param name="Application">The deployment's application_name, for the formats that set one; null when unknown.</param>
public sealed record EmitTarget(string Host, int Port, string Database, string? User, string? Application = null);

/// <summary>One of the runbook's variables with the value the advice computed for it.</summary>
public sealed record EnvVariable(string Name, string Value);

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
            EmitFormat.SqlAlchemy => SqlAlchemy(advice, target?.Application),
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

    /// <summary>
    /// The runbook's <c>DATABASE_*</c> variables with the computed values, in one order for every format:
    /// the names PgMedic.Guard and pgmedic-sqlalchemy read, numbers in seconds as the runbook writes them.
    /// </summary>
    public static IReadOnlyList<EnvVariable> Variables(CapacityAdvice advice)
    {
        ArgumentNullException.ThrowIfNull(advice);
        var pool = advice.Pool;
        return
        [
            new("DATABASE_POOL_SIZE", Invariant($"{pool.PoolSize}")),
            new("DATABASE_MAX_OVERFLOW", Invariant($"{pool.MaxOverflow}")),
            new("DATABASE_POOL_TIMEOUT", Invariant($"{pool.PoolTimeoutSeconds}")),
            new("DATABASE_POOL_RECYCLE", Invariant($"{pool.PoolRecycleSeconds}")),
            new("DATABASE_POOL_PRE_PING", "true"),
            new("DATABASE_CONNECT_TIMEOUT", Invariant($"{pool.ConnectTimeoutSeconds}")),
            new("DATABASE_COMMAND_TIMEOUT", Invariant($"{pool.CommandTimeoutSeconds}")),
        ];
    }

    private static string Env(CapacityAdvice advice)
    {
        var text = new StringBuilder();
        text.Append("# ").Append(Headline(advice)).Append('\n');
        foreach (var variable in Variables(advice))
        {
            text.Append(variable.Name).Append('=').Append(variable.Value).Append('\n');
        }

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

    /// <summary>
    /// Runnable Python: the runbook's variables win, the computed values are their defaults, read by
    /// pgmedic-sqlalchemy exactly as PgMedic.Guard reads them (same names, spellings and checks), and the
    /// engine is instrumented so that its holders and /health/pool are there from the first checkout.
    /// </summary>
    private static string SqlAlchemy(CapacityAdvice advice, string? application)
    {
        var text = new StringBuilder();
        text.Append("# ").Append(Headline(advice)).Append('\n');
        text.Append("# The runbook's DATABASE_* variables win; where one is unset, the value computed above is used.\n");
        text.Append("# pgmedic_sqlalchemy (clients/python) reads them as PgMedic.Guard does: same names, spellings and checks.\n");
        text.Append("import math\nimport os\nimport re\n\n");
        text.Append("from sqlalchemy import create_engine\n");
        text.Append("from pgmedic_sqlalchemy import from_environment, instrument\n\n");
        text.Append("ADVISED = {\n");
        foreach (var variable in Variables(advice))
        {
            text.Append("    \"").Append(variable.Name).Append("\": \"").Append(variable.Value).Append("\",\n");
        }

        text.Append("}\n");
        text.Append("settings = from_environment({**ADVISED, **{k: v for k, v in os.environ.items() if v.strip()}})\n\n");
        text.Append("# Names this service's sessions in pg_stat_activity (libpq's PGAPPNAME wins when set).\n");
        text.Append("APPLICATION_NAME = os.environ.get(\"PGAPPNAME\") or ").Append(PythonString(application ?? "pgmedic-sqlalchemy")).Append('\n');
        text.Append("connect_args = {\"connect_timeout\": max(1, math.ceil(settings.connect_timeout)), \"application_name\": APPLICATION_NAME}\n");
        text.Append("if settings.command_timeout > 0:\n");
        text.Append("    connect_args[\"options\"] = \"-c statement_timeout=%d\" % math.ceil(settings.command_timeout * 1000)\n\n");
        text.Append("engine = create_engine(\n");
        text.Append("    # SQLAlchemy 1.4 refuses the postgres:// scheme that Railway and Heroku hand out: name the dialect.\n");
        text.Append("    re.sub(r\"^postgres(?:ql)?://\", \"postgresql+psycopg2://\", settings.database_url, flags=re.IGNORECASE),\n");
        text.Append("    pool_size=settings.pool_size,\n");
        text.Append("    max_overflow=settings.max_overflow,\n");
        text.Append("    pool_timeout=settings.pool_timeout,\n");
        text.Append("    pool_recycle=math.ceil(settings.pool_recycle) if settings.pool_recycle > 0 else -1,\n");
        text.Append("    pool_pre_ping=settings.pre_ping,\n");
        text.Append("    echo_pool=settings.echo_pool,\n");
        text.Append("    connect_args=connect_args,\n");
        text.Append(")\n");
        text.Append("pool = instrument(engine, name=APPLICATION_NAME, leak_threshold=settings.leak_threshold, stacks=settings.stacks, maintenance=settings.maintenance_mode)\n");
        return text.ToString();
    }

    /// <summary>A Python string literal: the name is the user's, so quotes and backslashes are escaped.</summary>
    private static string PythonString(string value)
    {
        var text = new StringBuilder("\"");
        foreach (var c in value.Where(c => !char.IsControl(c)))
        {
            text.Append(c is '\\' or '"' ? "\\" : string.Empty).Append(c);
        }

        return text.Append('"').ToString();
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
