using System.Diagnostics;
using Npgsql;
using PgMedic.Core.Probing;
using PgMedic.Core.Statements;
using PgMedic.Postgres.Targets;

namespace PgMedic.Postgres.Probing;

/// <summary>
/// Opens one unpooled connection and runs <c>SELECT 1</c>: the runbook's first minute
/// (<c>psql -c "SELECT 1"</c> and <c>pg_isready</c>) with the failure told apart.
/// </summary>
public static class Prober
{
    /// <param name="timeout">Bounds the whole attempt, connect and query, even against a server that accepts TCP and never answers.</param>
    public static async Task<ProbeResult> ProbeAsync(ConnectionTarget target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (connection, connected) = await ConnectAsync(target, timeout, ConnectionSettings.Probe, cancellationToken).ConfigureAwait(false);
        if (connection is null)
        {
            return connected;
        }

        await using (connection.ConfigureAwait(false))
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            var stopwatch = Stopwatch.StartNew();
            try
            {
                await using var command = new NpgsqlCommand(StatementSources.Marker + "SELECT 1", connection);
                command.CommandTimeout = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));
                await command.ExecuteScalarAsync(deadline.Token).ConfigureAwait(false);
                return connected with { QueryMilliseconds = Round(stopwatch.Elapsed.TotalMilliseconds), BackendPid = connection.ProcessID };
            }
            catch (Exception ex) when (IsConnectionFailure(ex, cancellationToken))
            {
                return Failed(target, ex, timeout, connected.ConnectMilliseconds);
            }
        }
    }

    /// <summary>
    /// Opens one unpooled connection, timing it. On success the caller owns the open connection and the
    /// result says "accepting"; on failure the connection is null and the result says why.
    /// </summary>
    public static async Task<(NpgsqlConnection? Connection, ProbeResult Result)> ConnectAsync(
        ConnectionTarget target, TimeSpan timeout, ConnectionSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(settings);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var connection = settings.CreateConnection(target, timeout);
        ConnectionSecrets.Remember(connection, target);
        var stopwatch = Stopwatch.StartNew();
        var opening = connection.OpenAsync(deadline.Token);
        try
        {
            // Npgsql does not observe the token in every phase of a login (a frozen postmaster's startup
            // reply): the deadline is kept here, not left to the connection string's whole-second Timeout.
            await opening.WaitAsync(deadline.Token).ConfigureAwait(false);
            var result = new ProbeResult(target.Masked, ProbeOutcome.Accepting, null, null, null, Round(stopwatch.Elapsed.TotalMilliseconds), null, connection.ServerVersion);
            return (connection, result);
        }
        catch (Exception ex)
        {
            // However the wait ended (the deadline, or the caller stopping), a login still under way is
            // closed when it ends: never an idle session left behind on the server.
            if (opening.IsCompleted)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                _ = opening.ContinueWith(static (open, state) => { _ = open.Exception; ((NpgsqlConnection)state!).Dispose(); }, connection, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }

            if (!IsConnectionFailure(ex, cancellationToken))
            {
                throw;
            }

            return (null, Failed(target, ex, timeout, null));
        }
    }

    internal static bool IsConnectionFailure(Exception ex, CancellationToken cancellationToken) =>
        ex is NpgsqlException or OperationCanceledException or TimeoutException or IOException && !cancellationToken.IsCancellationRequested;

    internal static ProbeResult Failed(ConnectionTarget target, Exception ex, TimeSpan timeout, double? connectMs)
    {
        var (outcome, reason) = ProbeClassifier.Classify(ex);
        var message = reason == ProbeReason.Timeout
            ? $"no answer within {timeout.TotalSeconds:0.###} s"
            : OneLine(ex is PostgresException pg ? pg.MessageText : Innermost(ex).Message);
        return new ProbeResult(target.Masked, outcome, reason, (ex as PostgresException)?.SqlState, Redact(message, target.Password), connectMs, null, null)
        {
            PrivateNetwork = reason == ProbeReason.Dns ? PrivateNetworks.Match(target.Host) : null,
        };
    }

    // Npgsql wraps socket and TLS errors; the innermost exception says what actually happened.
    private static Exception Innermost(Exception exception)
    {
        var current = exception;
        while (current.InnerException is not null)
        {
            current = current.InnerException;
        }

        return current;
    }

    private static double? Round(double? milliseconds) => milliseconds is { } ms ? Math.Round(ms, 2) : null;

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();

    internal static string Redact(string text, string? password) =>
        string.IsNullOrEmpty(password) ? text : text.Replace(password, "***", StringComparison.Ordinal);
}
