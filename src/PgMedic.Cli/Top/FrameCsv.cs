using System.Globalization;
using System.Text;
using PgMedic.Core.Activity;
using PgMedic.Core.Snapshots;

namespace PgMedic.Cli.Top;

/// <summary>
/// <c>--output FILE.csv</c>: every frame's client sessions (as filtered) appended as CSV rows, the header
/// written once when the file is new, flushed after each frame so it can be read while top runs.
/// </summary>
internal sealed class FrameCsv : IDisposable
{
    public const string Header = "taken_at,pid,database,user,application,client,state,backend_start,xact_start,query_start,state_change,wait_event_type,wait_event,lock_wait_seconds,blocked_by,query";

    private readonly StreamWriter _writer;
    private readonly StringBuilder _line = new(512);

    private FrameCsv(StreamWriter writer) => _writer = writer;

    /// <exception cref="IOException">The file cannot be opened for appending.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be opened for appending.</exception>
    public static FrameCsv Open(string path)
    {
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        var writer = new StreamWriter(stream, new UTF8Encoding(false));
        if (stream.Length == 0)
        {
            writer.WriteLine(Header);
        }

        return new FrameCsv(writer);
    }

    /// <summary>Why the file cannot be appended to, in one line; null when it can. Leaves no file behind.</summary>
    public static string? Problem(string path)
    {
        var existed = File.Exists(path);
        try
        {
            using (new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
            {
            }

            if (!existed)
            {
                File.Delete(path);
            }

            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return $"--output {path}: cannot append to it ({ex.Message})";
        }
    }

    public void Append(Snapshot snapshot, ActivityFilter filter)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(filter);
        var now = snapshot.TakenAt;
        foreach (var s in snapshot.Sessions)
        {
            if (!s.IsClientBackend || !filter.Matches(s, now))
            {
                continue;
            }

            _line.Clear();
            Time(now).Append(',').Append(s.Pid.ToString(CultureInfo.InvariantCulture)).Append(',');
            Text(s.Database).Append(',');
            Text(s.User).Append(',');
            Text(s.ApplicationName).Append(',');
            Text(s.ClientAddress).Append(',');
            Text(s.State).Append(',');
            Time(s.BackendStart).Append(',');
            Time(s.TransactionStart).Append(',');
            Time(s.QueryStart).Append(',');
            Time(s.StateChange).Append(',');
            Text(s.WaitEventType).Append(',');
            Text(s.WaitEvent).Append(',');
            _line.Append(s.LockWaitAge(now) is { } wait ? wait.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) : string.Empty).Append(',');
            Text(string.Join(' ', s.BlockedBy)).Append(',');
            // One row a line, so the file reads with grep and awk too: the query's line breaks and tabs become spaces.
            Text(s.Query is null ? null : Output.ViewCells.Query(s.Query));
            _writer.WriteLine(_line);
        }

        _writer.Flush();
    }

    public void Dispose() => _writer.Dispose();

    private StringBuilder Time(DateTimeOffset? at) =>
        at is { } t ? _line.Append(t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)) : _line;

    // RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
    private StringBuilder Text(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return _line;
        }

        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            return _line.Append(value);
        }

        return _line.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }
}
