using System.Globalization;
using Npgsql;
using PgMedic.Core.Remediation;
using PgMedic.Core.Statements;

namespace PgMedic.Postgres.Remediation;

/// <summary>Who holds a server's remediation lock, as far as its session shows.</summary>
/// <param name="Verb">What the holder runs (heal, terminate, …), when its session says.</param>
/// <param name="Door">cli, serve or top, when its session says.</param>
/// <param name="Host">The machine the holder runs on, when its session says.</param>
/// <param name="Since">When it took the lock, when its session says.</param>
public sealed record RemediationLockHolder(int Pid, string? Database, string? Verb, string? Door, string? Host, DateTimeOffset? Since, string? Application);

/// <summary>
/// One remediation at a time per server: a session-level advisory lock taken on the run's own
/// connection. Advisory locks are per database in PostgreSQL, so after taking it the run also looks in
/// <c>pg_locks</c> for the same key held from any other database and backs off if it finds one. While it
/// holds the lock the session's application_name says who it is (<c>pgmedic heal cli@host 20261201T225000Z</c>),
/// which is how a second run can name the holder; the name starts with "pgmedic " so guardrails spare it.
/// </summary>
public sealed class RemediationLock : IAsyncDisposable
{
    /// <summary>'PGMD' and 1: the two-int4 advisory key (objsubid 2 in pg_locks).</summary>
    private const int KeyClass = 0x50474D44;
    private const int KeyObject = 1;
    private const string StampFormat = "yyyyMMdd'T'HHmmss'Z'";

    private readonly NpgsqlConnection _connection;
    private readonly string _previousApplicationName;

    private RemediationLock(NpgsqlConnection connection, string previousApplicationName)
    {
        _connection = connection;
        _previousApplicationName = previousApplicationName;
    }

    /// <returns>The lock, or null and who holds it.</returns>
    public static async Task<(RemediationLock? Lock, RemediationLockHolder? Holder)> TryAcquireAsync(
        NpgsqlConnection connection, RemediationVerb verb, RemediationOrigin origin, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using (var take = new NpgsqlCommand(StatementSources.Marker + "SELECT pg_try_advisory_lock($1, $2), current_setting('application_name')", connection))
        {
            take.Parameters.Add(new NpgsqlParameter<int> { TypedValue = KeyClass });
            take.Parameters.Add(new NpgsqlParameter<int> { TypedValue = KeyObject });
            await using var reader = await take.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var acquired = reader.GetBoolean(0);
            var previous = reader.GetString(1);
            await reader.DisposeAsync().ConfigureAwait(false);
            var holder = await HolderAsync(connection, cancellationToken).ConfigureAwait(false);
            if (!acquired || holder is not null)
            {
                if (acquired)
                {
                    await UnlockAsync(connection, cancellationToken).ConfigureAwait(false);
                }

                return (null, holder ?? new RemediationLockHolder(0, null, null, null, null, null, null));
            }

            await SetApplicationNameAsync(connection, Label(verb, origin, now), cancellationToken).ConfigureAwait(false);
            return (new RemediationLock(connection, previous), null);
        }
    }

    /// <summary>The label a holder's session carries: <c>pgmedic VERB DOOR@HOST STAMP</c>, at most 63 bytes.</summary>
    public static string Label(RemediationVerb verb, RemediationOrigin origin, DateTimeOffset now)
    {
        var host = new string(Environment.MachineName.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_').Take(20).ToArray());
        return $"pgmedic {RemediationText.Verb(verb)} {RemediationText.Origin(origin)}@{(host.Length > 0 ? host : "host")} {now.UtcDateTime.ToString(StampFormat, CultureInfo.InvariantCulture)}";
    }

    /// <summary>Reads a label back; the parts a foreign application_name lacks stay null.</summary>
    public static RemediationLockHolder Parse(int pid, string? database, string? applicationName)
    {
        var parts = applicationName?.Split(' ') ?? [];
        if (parts.Length != 4 || parts[0] != "pgmedic" || parts[2].Split('@') is not [var door, var host])
        {
            return new RemediationLockHolder(pid, database, null, null, null, null, applicationName);
        }

        DateTimeOffset? since = DateTimeOffset.TryParseExact(parts[3], StampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var stamp) ? stamp : null;
        return new RemediationLockHolder(pid, database, parts[1], door, host, since, applicationName);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection.State != System.Data.ConnectionState.Open)
        {
            return;
        }

        try
        {
            await UnlockAsync(_connection, CancellationToken.None).ConfigureAwait(false);
            await SetApplicationNameAsync(_connection, _previousApplicationName, CancellationToken.None).ConfigureAwait(false);
        }
        catch (NpgsqlException)
        {
            // The connection broke: the server released the lock with the session.
        }
    }

    private static async Task<RemediationLockHolder?> HolderAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var who = new NpgsqlCommand(
            StatementSources.Marker + """
            SELECT l.pid, d.datname, a.application_name
            FROM pg_locks l
            LEFT JOIN pg_database d ON d.oid = l.database
            LEFT JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.classid = $1::oid AND l.objid = $2::oid AND l.objsubid = 2
              AND l.granted AND l.pid <> pg_backend_pid()
            ORDER BY l.pid
            LIMIT 1
            """,
            connection);
        who.Parameters.Add(new NpgsqlParameter<long> { TypedValue = (uint)KeyClass });
        who.Parameters.Add(new NpgsqlParameter<long> { TypedValue = KeyObject });
        await using var reader = await who.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? Parse(reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2))
            : null;
    }

    private static async Task UnlockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var unlock = new NpgsqlCommand(StatementSources.Marker + "SELECT pg_advisory_unlock($1, $2)", connection);
        unlock.Parameters.Add(new NpgsqlParameter<int> { TypedValue = KeyClass });
        unlock.Parameters.Add(new NpgsqlParameter<int> { TypedValue = KeyObject });
        await unlock.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task SetApplicationNameAsync(NpgsqlConnection connection, string name, CancellationToken cancellationToken)
    {
        await using var set = new NpgsqlCommand(StatementSources.Marker + "SELECT set_config('application_name', $1, false)", connection);
        set.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        await set.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
