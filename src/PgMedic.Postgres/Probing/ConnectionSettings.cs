using System.Collections.Concurrent;
using System.Globalization;
using Npgsql;
using PgMedic.Postgres.Targets;

namespace PgMedic.Postgres.Probing;

/// <summary>
/// How PgMedic's own connections identify and protect themselves: unpooled,
/// <c>application_name=pgmedic</c>, and a <c>lock_timeout</c> so that PgMedic never queues behind the
/// lock pile-up it is diagnosing (the peers' failure: PgHero #253, postgres_exporter #1228).
/// </summary>
public sealed record ConnectionSettings(string ApplicationName, TimeSpan? LockTimeout)
{
    public const string PgMedicApplicationName = "pgmedic";

    // One data source per connection string, as Npgsql intends: building one per connection would redo its setup.
    private static readonly ConcurrentDictionary<string, NpgsqlDataSource> DataSources = new(StringComparer.Ordinal);

    public static ConnectionSettings Probe { get; } = new(PgMedicApplicationName, null);

    public static ConnectionSettings Collector { get; } = new(PgMedicApplicationName, TimeSpan.FromSeconds(1));

    /// <summary>A one-shot command's collector: at its deadline the connection is dropped at once (see <see cref="BreakOnCancel"/>).</summary>
    public static ConnectionSettings OneShot { get; } = Collector with { BreakOnCancel = true };

    /// <summary>
    /// When a query is cancelled (its deadline passed), send the server the cancel request and drop the
    /// connection without waiting for the server to confirm: Npgsql otherwise waits up to 2 s more, which a
    /// stalled network or a frozen backend spends in full, past the command's deadline. A long-lived
    /// connection (the monitor's lifeline) keeps the wait: it is worth keeping open.
    /// </summary>
    public bool BreakOnCancel { get; init; }

    public string ConnectionString(ConnectionTarget target, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(target);
        var builder = new NpgsqlConnectionStringBuilder(target.ToNpgsqlConnectionString(ApplicationName, timeout))
        {
            // Kept for the life of a monitor's connection; lets it fail fast rather than hang.
            KeepAlive = 10,
        };
        if (BreakOnCancel)
        {
            builder.CancellationTimeout = -1;
        }

        if (LockTimeout is { } lockTimeout)
        {
            builder.Options = string.Create(CultureInfo.InvariantCulture, $"-c lock_timeout={(int)lockTimeout.TotalMilliseconds}");
        }

        return builder.ConnectionString;
    }

    /// <summary>
    /// A new, unopened connection for <paramref name="target"/>. Its data source loads no types: Npgsql otherwise
    /// reads the server's whole type catalogue on every new process's first connection, a query larger than
    /// anything PgMedic asks, paid by every probe and check. PgMedic reads only built-in types (text, integers,
    /// oids, timestamps, arrays of int), which need no loading.
    /// </summary>
    public NpgsqlConnection CreateConnection(ConnectionTarget target, TimeSpan timeout) =>
        DataSources.GetOrAdd(ConnectionString(target, timeout), static connectionString =>
        {
            var builder = new NpgsqlDataSourceBuilder(connectionString);
            builder.ConfigureTypeLoading(options => options.EnableTypeLoading(false));
            return builder.Build();
        }).CreateConnection();
}
