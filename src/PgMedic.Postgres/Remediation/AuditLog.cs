using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PgMedic.Core.Diagnosis;
using PgMedic.Core.Probing;
using PgMedic.Core.Remediation;
using PgMedic.Core.Secrets;

namespace PgMedic.Postgres.Remediation;

/// <summary>
/// Appends JSON lines to the audit log and flushes each one to disk before returning, so nothing of a
/// run is lost if the process is killed. Records hold the masked target only; any text that passes
/// through (hook output, error messages) is scrubbed of the target's password.
/// </summary>
public sealed class AuditLog : IAsyncDisposable
{
    private readonly FileStream _stream;
    private readonly TimeProvider _time;
    private readonly SecretScrubber _scrubber;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _written;

    private AuditLog(FileStream stream, string path, string target, string? secret, string origin, TimeProvider time)
    {
        Origin = origin;
        _stream = stream;
        Path = path;
        Target = target;
        _scrubber = new SecretScrubber(secret);
        _time = time;
        RunId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        Operator = $"{Environment.UserName}@{Environment.MachineName}";
    }

    public string Path { get; }

    public string RunId { get; }

    public string Operator { get; }

    public string Target { get; }

    /// <summary>The door the run came through: <c>cli</c>, <c>serve</c>, <c>top</c>.</summary>
    public string Origin { get; }

    /// <summary><c>$XDG_STATE_HOME/pgmedic/audit.jsonl</c>, else <c>~/.local/state/pgmedic/audit.jsonl</c>.</summary>
    public static string DefaultPath(Func<string, string?> environment, string? home)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var state = environment("XDG_STATE_HOME") is { Length: > 0 } xdg ? xdg : System.IO.Path.Combine(home ?? ".", ".local", "state");
        return System.IO.Path.Combine(state, "pgmedic", "audit.jsonl");
    }

    /// <param name="maskedTarget">The target as shown to users.</param>
    /// <param name="secret">The target's password, scrubbed from any free text that is recorded.</param>
    /// <param name="origin">The door the run came through, recorded on every line.</param>
    /// <exception cref="InvalidRemediationRequestException">The file cannot be appended to: nothing may be done unaudited.</exception>
    public static AuditLog Open(string path, string maskedTarget, string? secret, string origin, TimeProvider time)
    {
        if (Problem(path) is { } problem)
        {
            throw new InvalidRemediationRequestException(problem);
        }

        try
        {
            var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
            return new AuditLog(stream, path, maskedTarget, secret, origin, time);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new InvalidRemediationRequestException(Unwritable(path, ex.Message));
        }
    }

    /// <summary>
    /// Why the audit log at <paramref name="path"/> could not be appended to, or null when it looks fine —
    /// checked before anything is planned, without creating or changing anything.
    /// </summary>
    public static string? Problem(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            var full = System.IO.Path.GetFullPath(path);
            if (Directory.Exists(full))
            {
                return Unwritable(path, "it is a directory");
            }

            if (File.Exists(full))
            {
                using var probe = new FileStream(full, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
                return null;
            }

            for (var parent = System.IO.Path.GetDirectoryName(full); parent is not null; parent = System.IO.Path.GetDirectoryName(parent))
            {
                if (File.Exists(parent))
                {
                    return Unwritable(path, $"'{parent}' is a file, not a directory");
                }

                if (Directory.Exists(parent))
                {
                    return null;
                }
            }

            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return Unwritable(path, ex.Message);
        }
    }

    private static string Unwritable(string path, string why) =>
        $"the audit log '{path}' cannot be appended to ({why.ReplaceLineEndings(" ").TrimEnd('.')}): nothing was done; give a writable file";

    public Task PlanAsync(string command, string? step, RemediationPlan plan, CancellationToken cancellationToken) =>
        WriteAsync(new AuditRecord { Time = Now, RunId = RunId, Operator = Operator, Target = Target, Origin = Origin, Event = "plan", Command = command, Step = step, Plan = plan }, cancellationToken);

    public Task ActionStartedAsync(string command, string? step, PlannedAction action, CancellationToken cancellationToken) =>
        WriteAsync(new AuditRecord { Time = Now, RunId = RunId, Operator = Operator, Target = Target, Origin = Origin, Event = "action-started", Command = command, Step = step, Action = action }, cancellationToken);

    public Task ActionFinishedAsync(string command, string? step, PlannedAction action, ActionOutcome result, string? detail, double milliseconds, CancellationToken cancellationToken) =>
        WriteAsync(new AuditRecord { Time = Now, RunId = RunId, Operator = Operator, Target = Target, Origin = Origin, Event = "action-finished", Command = command, Step = step, Action = action, Result = ActionOutcomeText.Of(result), Detail = Scrub(detail), DurationMilliseconds = Math.Round(milliseconds, 2) }, cancellationToken);

    public Task EventAsync(string eventName, string command, string? step, string? result, string? detail, double? milliseconds = null, int? exitCode = null, string? output = null, CancellationToken cancellationToken = default) =>
        WriteAsync(new AuditRecord { Time = Now, RunId = RunId, Operator = Operator, Target = Target, Origin = Origin, Event = eventName, Command = command, Step = step, Result = result, Detail = Scrub(detail), DurationMilliseconds = milliseconds is { } ms ? Math.Round(ms, 2) : null, ExitCode = exitCode, Output = Scrub(output) }, cancellationToken);

    public Task FindingsAsync(string command, IReadOnlyList<Finding> findings, CancellationToken cancellationToken) =>
        WriteAsync(new AuditRecord { Time = Now, RunId = RunId, Operator = Operator, Target = Target, Origin = Origin, Event = "findings", Command = command, Findings = findings }, cancellationToken);

    public Task VerificationAsync(string command, string? step, Verification verification, double milliseconds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(verification);
        return WriteAsync(
            new AuditRecord
            {
                Time = Now, RunId = RunId, Operator = Operator, Target = Target, Origin = Origin, Event = "verification", Command = command, Step = step,
                Result = verification.Healthy ? "healthy" : "not-healthy",
                Detail = Scrub($"client connections {verification.ClientBackendsBefore} -> {verification.ClientBackendsAfter}; probe {ProbeOutcomeName.Of(verification.Probe.Outcome)} {verification.Probe.Reason}".TrimEnd()),
                DurationMilliseconds = Math.Round(milliseconds, 2),
                ClientBackendsBefore = verification.ClientBackendsBefore,
                ClientBackendsAfter = verification.ClientBackendsAfter,
                PercentBefore = verification.PercentOfUsableBefore,
                PercentAfter = verification.PercentOfUsableAfter,
                Healthy = verification.Healthy,
            },
            cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    private string? Scrub(string? text) => _scrubber.ScrubOrNull(text);

    private async Task WriteAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(record, AuditJsonContext.Dialect.AuditRecord) + "\n");
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(line, cancellationToken).ConfigureAwait(false);
            _stream.Flush(flushToDisk: true);
            _written = true;
        }
        catch (IOException ex) when (!_written)
        {
            // The first record goes before anything is done; a file that opens but takes no writes (/proc, a full disk) stops the run here.
            throw new InvalidRemediationRequestException(Unwritable(Path, ex.Message));
        }
        finally
        {
            _gate.Release();
        }
    }
}
