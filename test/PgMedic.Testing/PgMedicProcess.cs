using System.Diagnostics;
using System.Text;

namespace PgMedic.Testing;

/// <summary>Runs the built <c>pgmedic</c> as a separate process, the way a user or CI does: the native executable when test.sh published one (<see cref="BuildOutput.CliCommand"/>), else <c>dotnet pgmedic.dll</c>.</summary>
public sealed class PgMedicProcess : IDisposable
{
    private readonly StringBuilder _output = new();
    private readonly Process _process;

    private PgMedicProcess(Process process) => _process = process;

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
        var info = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
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
        var wrapper = new PgMedicProcess(process);
        process.OutputDataReceived += (_, e) => wrapper.Append(e.Data);
        process.ErrorDataReceived += (_, e) => wrapper.Append(e.Data);
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

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
