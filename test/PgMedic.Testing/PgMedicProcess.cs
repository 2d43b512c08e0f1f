using System.Diagnostics;
using System.Text;

namespace PgMedic.Testing;

/// <summary>Runs the built <c>pgmedic</c> as a separate process, the way a user or CI does: the native executable when test.sh published one (<see cref="BuildOutput.CliCommand"/>), else <c>dotnet pgmedic.dll</c>.</summary>
public sealed class PgMedicProcess : IDisposable
{
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Process _process;
    private readonly string _workingDirectory;

    private PgMedicProcess(Process process, string workingDirectory)
    {
        _process = process;
        _workingDirectory = workingDirectory;
    }

    public int Pid => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>What the process wrote to stdout alone (a JSON document, say).</summary>
    public string StandardOutput
    {
        get
        {
            lock (_output)
            {
                return _stdout.ToString();
            }
        }
    }

    /// <summary>What the process wrote to stderr alone (its one-line errors and warnings).</summary>
    public string StandardError
    {
        get
        {
            lock (_output)
            {
                return _stderr.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static PgMedicProcess Start(params string[] args) => Start(null, args);

    /// <param name="environment">Variables added to this process's environment (DATABASE_URL is always removed).</param>
    public static PgMedicProcess Start(IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        StartProgram(BuildOutput.CliCommand, environment, args);

    /// <summary>
    /// Runs pgmedic with its standard input read from <paramref name="inputPath"/> (a FIFO another process
    /// writes to, as in <c>railway logs | pgmedic logs</c>): bash opens it and execs pgmedic in its place, so
    /// <see cref="Pid"/> is pgmedic's own and a signal sent to it reaches pgmedic.
    /// </summary>
    public static PgMedicProcess StartReading(string inputPath, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(inputPath);
        return StartProgram(["/bin/bash", "-c", "exec \"$@\" < \"$PGMEDIC_TEST_INPUT\"", "pgmedic", .. BuildOutput.CliCommand], new Dictionary<string, string> { ["PGMEDIC_TEST_INPUT"] = inputPath }, args);
    }

    /// <summary>Runs a copy of pgmedic elsewhere: <paramref name="command"/> is the program and the arguments before <paramref name="args"/>.</summary>
    public static PgMedicProcess StartProgram(IReadOnlyList<string> command, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(command);
        // Its own empty working directory: a relative default (serve's pgmedic-history.db) must never land in the repository.
        var workingDirectory = Directory.CreateTempSubdirectory("pgmedic-cwd-").FullName;
        var info = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in command.Skip(1).Concat(args))
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("DATABASE_URL");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        var process = new Process { StartInfo = info };
        var wrapper = new PgMedicProcess(process, workingDirectory);
        process.OutputDataReceived += (_, e) => wrapper.Append(e.Data, wrapper._stdout);
        process.ErrorDataReceived += (_, e) => wrapper.Append(e.Data, wrapper._stderr);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return wrapper;
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public async Task<string> WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (stopwatch.Elapsed > timeout || _process.HasExited)
            {
                throw new TimeoutException($"pgmedic did not print '{text}' within {timeout}; it printed:\n{Output}");
            }

            await Task.Delay(50);
        }

        return Output;
    }

    /// <summary>Sends SIGINT, as Ctrl+C does.</summary>
    public void Interrupt()
    {
        using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>SIGKILL: no shutdown, no flush — what a crash or an OOM kill does.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>Runs pgmedic to its end and times it from start to exit, process start included, as a user's clock does.</summary>
    public static async Task<TimedRun> RunAsync(IReadOnlyDictionary<string, string>? environment, TimeSpan limit, params string[] args)
    {
        var stopwatch = Stopwatch.StartNew();
        using var run = Start(environment, args);
        var exit = await run.WaitForExitAsync(limit);
        return new TimedRun(exit, run.StandardOutput, run.StandardError, stopwatch.Elapsed);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_workingDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Something the process left open; the temp directory is cleaned by the OS.
        }
    }

    private void Append(string? line, StringBuilder stream)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
            stream.AppendLine(line);
        }
    }
}

/// <summary>One finished run of pgmedic: its exit code, each stream, and how long it took from start to exit.</summary>
public sealed record TimedRun(int ExitCode, string Out, string Error, TimeSpan Elapsed)
{
    public string All => Out + Error;

    /// <summary>"exit 2 after 3.1 s": the measured result as the reliability table shows it.</summary>
    public string Summary => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"exit {ExitCode} after {Elapsed.TotalSeconds:0.0} s");
}
