using System.Diagnostics;
using System.Text;

namespace PgMedic.Monitor.Tests;

/// <summary>The built <c>pgmedic</c> run as a separate process, as a user or CI runs it — and killed the hard way.</summary>
internal sealed class MonitorProcess : IDisposable
{
    private readonly StringBuilder _output = new();
    private readonly Process _process;

    private MonitorProcess(Process process) => _process = process;

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

    public static MonitorProcess Start(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        info.ArgumentList.Add(CliPath());
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("DATABASE_URL");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info };
        var wrapper = new MonitorProcess(process);
        process.OutputDataReceived += (_, e) => wrapper.Append(e.Data);
        process.ErrorDataReceived += (_, e) => wrapper.Append(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return wrapper;
    }

    /// <summary>Waits for the "listening on" line and returns the monitor's address.</summary>
    public async Task<Uri> WaitForAddressAsync(TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < timeout && !_process.HasExited)
        {
            var line = Output.Split('\n').FirstOrDefault(l => l.Contains("listening on http://", StringComparison.Ordinal));
            if (line is not null)
            {
                var start = line.IndexOf("http://", StringComparison.Ordinal);
                return new Uri(line[start..line.IndexOf(' ', start)]);
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"pgmedic serve did not start; it printed:\n{Output}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        _process.WaitForExit();
        return _process.ExitCode;
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

    /// <summary>The CLI's own build output (bin/&lt;Configuration&gt;/net10.0 mirrors the test project's), with its own deps and runtimeconfig.</summary>
    private static string CliPath()
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory);
        return Path.Combine(ToolPaths.RepositoryRoot(), "src", "PgMedic.Cli", "bin", tfm.Parent!.Name, tfm.Name, "pgmedic.dll");
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
