using System.Net.Sockets;
using System.Security.Authentication;
using Npgsql;
using PgMedic.Core.Probing;

namespace PgMedic.Postgres.Probing;

/// <summary>Sorts a failed connection attempt into the outcome and reason an on-call engineer acts on.</summary>
internal static class ProbeClassifier
{
    public static (ProbeOutcome Outcome, string Reason) Classify(Exception exception) => exception switch
    {
        PostgresException pg => (ProbeOutcome.Rejecting, FromSqlState(pg.SqlState, pg.MessageText)),
        _ when Find<SocketException>(exception) is { } socket => (ProbeOutcome.NoResponse, FromSocket(socket.SocketErrorCode)),
        _ when Find<AuthenticationException>(exception) is not null => (ProbeOutcome.NoResponse, ProbeReason.Tls),
        _ when Find<TimeoutException>(exception) is not null || exception is OperationCanceledException => (ProbeOutcome.NoResponse, ProbeReason.Timeout),
        NpgsqlException npgsql when IsMissingPassword(npgsql) => (ProbeOutcome.Rejecting, ProbeReason.AuthFailed),
        NpgsqlException npgsql when npgsql.Message.Contains("SSL", StringComparison.OrdinalIgnoreCase) => (ProbeOutcome.NoResponse, ProbeReason.Tls),
        NpgsqlException { InnerException: EndOfStreamException or IOException } => (ProbeOutcome.NoResponse, ProbeReason.Reset),
        _ => (ProbeOutcome.NoResponse, ProbeReason.Unreachable),
    };

    internal static string FromSqlState(string sqlState, string message) => sqlState switch
    {
        PostgresErrorCodes.TooManyConnections when message.Contains("reserved", StringComparison.OrdinalIgnoreCase) => ProbeReason.ReservedSlotsOnly,
        PostgresErrorCodes.TooManyConnections when message.Contains("for role", StringComparison.OrdinalIgnoreCase) => ProbeReason.RoleLimit,
        PostgresErrorCodes.TooManyConnections when message.Contains("for database", StringComparison.OrdinalIgnoreCase) => ProbeReason.DatabaseLimit,
        PostgresErrorCodes.TooManyConnections => ProbeReason.TooManyClients,
        PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification => ProbeReason.AuthFailed,
        PostgresErrorCodes.InvalidCatalogName => ProbeReason.DatabaseMissing,
        PostgresErrorCodes.CannotConnectNow when message.Contains("starting up", StringComparison.OrdinalIgnoreCase) => ProbeReason.StartingUp,
        PostgresErrorCodes.CannotConnectNow when message.Contains("shutting down", StringComparison.OrdinalIgnoreCase) => ProbeReason.ShuttingDown,
        PostgresErrorCodes.CannotConnectNow => ProbeReason.Recovery,
        PostgresErrorCodes.AdminShutdown => ProbeReason.ShuttingDown,
        _ => ProbeReason.OtherRejection,
    };

    private static string FromSocket(SocketError error) => error switch
    {
        SocketError.ConnectionRefused or SocketError.AddressNotAvailable => ProbeReason.Refused,
        SocketError.TimedOut => ProbeReason.Timeout,
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => ProbeReason.Dns,
        SocketError.ConnectionReset or SocketError.ConnectionAborted => ProbeReason.Reset,
        // A Unix socket path that does not exist comes back as "no such file".
        SocketError.AddressFamilyNotSupported or SocketError.SocketError => ProbeReason.Refused,
        _ => ProbeReason.Unreachable,
    };

    private static bool IsMissingPassword(NpgsqlException exception) =>
        exception.Message.Contains("No password has been provided", StringComparison.OrdinalIgnoreCase);

    private static T? Find<T>(Exception exception)
        where T : Exception
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is T found)
            {
                return found;
            }
        }

        return null;
    }
}
