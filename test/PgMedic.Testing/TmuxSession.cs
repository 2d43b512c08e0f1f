using System.Diagnostics;
using System.Globalization;

namespace PgMedic.Testing;

/// <summary>
/// A program in a real terminal: a tmux server of its own (its own socket, <c>-L</c>), one session of a given
/// size, keys sent with <c>send-keys</c> and the screen read with <c>capture-pane</c>. Disposing kills that
/// server (and the program in it), never any other.
/// </summary>
public sealed class TmuxSession : IDisposable
{
    private readonly string _socket;

    private TmuxSession(string socket) => _socket = socket;

    /// <summary>Starts <paramref name="command"/> in a detached session of <paramref name="width"/>×<paramref name="height"/>.</summary>
    /// <param name="environment">Added to the program's environment (the tmux server's, which it inherits); DATABASE_URL is removed unless given.</param>
    public static TmuxSession Start(int width, int height, IReadOnlyList<string> command, IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        var session = new TmuxSession($"pgmedic-test-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var shell = "exec " + string.Join(' ', command.Select(Quote)) + "; sleep 30";
        var info = Info(session._socket, "-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", width.ToString(CultureInfo.InvariantCulture), "-y", height.ToString(CultureInfo.InvariantCulture), shell);
        info.Environment.Remove("DATABASE_URL");
        info.Environment["TERM"] = "xterm-256color";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        session.Run(info);
        session.Tmux("set-option", "-t", "t", "remain-on-exit", "on");
        return session;
    }

    /// <summary>The screen as text, one string per line (no colours).</summary>
    public IReadOnlyList<string> Capture() =>
        Tmux("capture-pane", "-p", "-t", "t").TrimEnd('\n').Split('\n');

    public string Screen => string.Join('\n', Capture());

    /// <summary>tmux key names (<c>Up</c>, <c>Enter</c>, <c>Space</c>, <c>PPage</c>) or literal text with <paramref name="literal"/>.</summary>
    public void SendKeys(string keys, bool literal = false)
    {
        if (literal)
        {
            Tmux("send-keys", "-t", "t", "-l", keys);
        }
        else
        {
            Tmux("send-keys", "-t", "t", keys);
        }
    }

    public void Resize(int width, int height) =>
        Tmux("resize-window", "-t", "t", "-x", width.ToString(CultureInfo.InvariantCulture), "-y", height.ToString(CultureInfo.InvariantCulture));

    /// <summary>Polls the screen until <paramref name="condition"/> holds; fails with the last screen at the deadline.</summary>
    public async Task<IReadOnlyList<string>> WaitForAsync(Func<IReadOnlyList<string>, bool> condition, string what, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var stopwatch = Stopwatch.StartNew();
        IReadOnlyList<string> screen;
        while (!condition(screen = Capture()))
        {
            if (stopwatch.Elapsed > (timeout ?? TimeSpan.FromSeconds(15)))
            {
                throw new TimeoutException($"the terminal did not show {what} within {timeout ?? TimeSpan.FromSeconds(15)}; it shows:\n{string.Join('\n', screen)}");
            }

            await Task.Delay(50);
        }

        return screen;
    }

    public Task<IReadOnlyList<string>> WaitForTextAsync(string text, TimeSpan? timeout = null) =>
        WaitForAsync(lines => lines.Any(l => l.Contains(text, StringComparison.Ordinal)), $"'{text}'", timeout);

    /// <summary>True once the program in the pane has exited.</summary>
    public bool Exited => Tmux("display-message", "-p", "-t", "t", "#{pane_dead}").Trim() == "1";

    public void Dispose()
    {
        try
        {
            Tmux("kill-server");
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        // tmux leaves its socket file behind when its server is killed.
        var directory = Environment.GetEnvironmentVariable("TMUX_TMPDIR") is { Length: > 0 } tmp ? tmp : "/tmp";
        File.Delete(Path.Combine(directory, $"tmux-{Uid()}", _socket));
    }

    private static string Uid()
    {
        using var id = Process.Start(new ProcessStartInfo("id", "-u") { RedirectStandardOutput = true, UseShellExecute = false })!;
        var uid = id.StandardOutput.ReadToEnd().Trim();
        id.WaitForExit();
        return uid;
    }

    private static string Quote(string arg) => "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static ProcessStartInfo Info(string socket, params string[] args)
    {
        var info = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-L");
        info.ArgumentList.Add(socket);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    private string Tmux(params string[] args) => Run(Info(_socket, args));

    private string Run(ProcessStartInfo info)
    {
        using var process = Process.Start(info) ?? throw new InvalidOperationException("tmux did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            process.Kill();
            throw new InvalidOperationException($"tmux {string.Join(' ', info.ArgumentList.Skip(2))} did not finish within 10s");
        }

        return process.ExitCode == 0 ? output.Result : throw new InvalidOperationException($"tmux {string.Join(' ', info.ArgumentList.Skip(2))} failed ({process.ExitCode}): {error.Result}");
    }
}
