using System.Diagnostics;
using Npgsql;
using PgMedic.Core.Probing;
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
        ArgumentNullException.ThrowIfNull(target);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var connectionString = target.ToNpgsqlConnectionString(applicationName: "pgmedic", timeout: timeout);
        var stopwatch = Stopwatch.StartNew();
        double? connectMs = null;
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(deadline.Token).ConfigureAwait(false);
            connectMs = stopwatch.Elapsed.TotalMilliseconds;
            stopwatch.Restart();
            await using (var command = new NpgsqlCommand("SELECT 1", connection))
            {
                command.CommandTimeout = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));
                await command.ExecuteScalarAsync(deadline.Token).ConfigureAwait(false);
            }

            var queryMs = stopwatch.Elapsed.TotalMilliseconds;
            return new ProbeResult(target.Masked, ProbeOutcome.Accepting, null, null, null, Round(connectMs), Round(queryMs), connection.ServerVersion);
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException or IOException && !cancellationToken.IsCancellationRequested)
        {
            var (outcome, reason) = ProbeClassifier.Classify(ex);
            var message = reason == ProbeReason.Timeout
                ? $"no answer within {timeout.TotalSeconds:0.###} s"
                : OneLine(ex is PostgresException pg ? pg.MessageText : Innermost(ex).Message);
            return new ProbeResult(
                target.Masked,
                outcome,
                reason,
                (ex as PostgresException)?.SqlState,
                Redact(message, target.Password),
                Round(connectMs),
                null,
                null);
        }
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
