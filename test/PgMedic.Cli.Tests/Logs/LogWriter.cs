using System.Diagnostics;

namespace PgMedic.Cli.Tests.Logs;

/// <summary>
/// A Python process writing log lines into a FIFO over time, as <c>railway logs</c> does into a pipe: the
/// given lines, one every <c>pause</c>; once the reader has taken them all out of the pipe it says so
/// (<see cref="WaitUntilReadAsync"/>) and keeps the pipe open until <see cref="Release"/> (or for a minute),
/// then writes the closing lines and exits, which ends the reader's input.
/// </summary>
internal sealed class LogWriter : IDisposable
{
    private const string Script = """
        import fcntl, json, os, struct, sys, termios, time
        directory = sys.argv[1]
        plan = json.load(open(os.path.join(directory, "plan.json")))
        for line in plan["lines"]:
            print(line, flush=True)
            time.sleep(plan["pause"])
        deadline = time.time() + 60
        # FIONREAD on a pipe: the bytes written that the reader has not read yet.
        while struct.unpack("i", fcntl.ioctl(1, termios.FIONREAD, b"\0\0\0\0"))[0] > 0 and time.time() < deadline:
            time.sleep(0.02)
        open(os.path.join(directory, "read"), "w").close()
        while not os.path.exists(os.path.join(directory, "release")) and time.time() < deadline:
            time.sleep(0.05)
        for line in plan["closing"]:
            print(line, flush=True)
        """;

    private readonly Process _process;
    private readonly string _directory;

    private LogWriter(Process process, string directory)
    {
        _process = process;
        _directory = directory;
    }

    /// <summary>The FIFO to read the lines from.</summary>
    public string Fifo => Path.Combine(_directory, "input");

    public bool HasExited => _process.HasExited;

    public static LogWriter Start(IReadOnlyList<string> lines, TimeSpan pause, IReadOnlyList<string>? closing = null)
    {
        var directory = Directory.CreateTempSubdirectory("pgmedic-log-writer-").FullName;
        File.WriteAllText(Path.Combine(directory, "writer.py"), Script);
        File.WriteAllText(Path.Combine(directory, "plan.json"), System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["lines"] = lines,
            ["pause"] = pause.TotalSeconds,
            ["closing"] = closing ?? [],
        }));
        using (var mkfifo = Process.Start("mkfifo", [Path.Combine(directory, "input")]))
        {
            mkfifo.WaitForExit();
        }

        var info = new ProcessStartInfo("/bin/bash") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var arg in new[] { "-c", "exec /usr/bin/python3 -u \"$0\" \"$1\" > \"$1/input\"", Path.Combine(directory, "writer.py"), directory })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return new LogWriter(process, directory);
    }

    /// <summary>Returns once the reader has read every line written so far out of the pipe.</summary>
    public async Task WaitUntilReadAsync(TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (!File.Exists(Path.Combine(_directory, "read")))
        {
            if (DateTimeOffset.UtcNow > deadline || _process.HasExited)
            {
                throw new TimeoutException($"the reader did not read the writer's lines within {timeout}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Lets the writer write its closing lines and exit.</summary>
    public void Release() => File.WriteAllText(Path.Combine(_directory, "release"), string.Empty);

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
