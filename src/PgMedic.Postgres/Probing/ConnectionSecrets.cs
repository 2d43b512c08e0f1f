using System.Runtime.CompilerServices;
using Npgsql;
using PgMedic.Core.Secrets;
using PgMedic.Postgres.Targets;

namespace PgMedic.Postgres.Probing;

/// <summary>
/// Each connection PgMedic opens carries the scrubber of its target's password, so that text read from
/// the server through it — every session's application_name and query, statement texts — is scrubbed
/// where it enters, once, before any view, report, API answer, webhook, history row or audit record is
/// made from it. A client that names itself with the password, or sends it as a plain literal, is seen
/// with <c>***</c> everywhere at once.
/// </summary>
public static class ConnectionSecrets
{
    private static readonly ConditionalWeakTable<NpgsqlConnection, SecretScrubber> Scrubbers = new();

    public static void Remember(NpgsqlConnection connection, ConnectionTarget target)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(target);
        Scrubbers.AddOrUpdate(connection, new SecretScrubber(target.Password));
    }

    /// <summary>The connection's scrubber; one that masks by shape alone for a connection PgMedic did not open.</summary>
    public static SecretScrubber For(NpgsqlConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return Scrubbers.TryGetValue(connection, out var scrubber) ? scrubber : SecretScrubber.None;
    }
}
