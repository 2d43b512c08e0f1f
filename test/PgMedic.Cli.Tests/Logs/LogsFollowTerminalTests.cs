using System.Diagnostics;
using System.Text.RegularExpressions;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Logs;

/// <summary>
/// <c>logs --follow</c> on a real terminal: tmux runs <c>writer | pgmedic logs --follow</c> in a 100×40 pane
/// (the real binary), and capture-pane shows what a user sees.
/// </summary>
public sealed partial class LogsFollowTerminalTests
{
    private const string Header = "Ctrl+C for the report";

    [Fact]
    public async Task LogsFollow_OnATerminal_RedrawsInPlaceThenCtrlCLeavesOnlyTheReport()
    {
        using var tmux = Tmux.Start(
            "trap true INT; " +
            "for i in $(seq 1 300); do echo '2026-11-27 14:33:00.123 UTC [81] FATAL:  sorry, too many clients already'; sleep 0.2; done | " +
            string.Join(' ', BuildOutput.CliCommand.Select(Quote)) + " logs --follow; echo \"exit=$?\"");

        var first = await tmux.WaitForScreenAsync(screen => Count(screen) >= 3);
        await Task.Delay(1500);
        var second = tmux.Screen();
        var history = tmux.History();
        tmux.SendKeys("C-c");
        var final = await tmux.WaitForHistoryAsync(history => history.Contains("exit=", StringComparison.Ordinal));

        // In place: the frame starts on the first row each time, once, its count went up there, and no
        // earlier frame scrolled into the history.
        Assert.All(new[] { first, second }, screen => Assert.Contains(Header, screen.Split('\n')[0], StringComparison.Ordinal));
        Assert.All(new[] { first, second }, screen => Assert.Single(Regex.Matches(screen, Regex.Escape(Header))));
        Assert.True(Count(second) > Count(first), $"the count did not go up in place:\n{first}\n----\n{second}");
        Assert.Single(Regex.Matches(history, Regex.Escape(Header)));
        // Ctrl+C: the frame is taken away (nothing of it scrolled into the history) and the report printed.
        Assert.DoesNotContain(Header, final, StringComparison.Ordinal);
        Assert.Contains("exit=2", final, StringComparison.Ordinal);
        Assert.Matches(@"CRITICAL \d+ lines \(0 MB\) from stdin", final);
        Assert.Contains("too-many-clients: server full", final, StringComparison.Ordinal);
    }

    private static long Count(string screen) =>
        KindRow().Match(screen) is { Success: true } match ? long.Parse(match.Groups["count"].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;

    private static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    [GeneratedRegex(@"^too-many-clients\s+(?<count>\d+)\s+\d+", RegexOptions.Multiline)]
    private static partial Regex KindRow();

    /// <summary>A tmux server of its own (its own socket), with one pane running a bash command; the server is killed on dispose.</summary>
    private sealed class Tmux : IDisposable
    {
        private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

        private readonly string _directory;

        private Tmux(string directory) => _directory = directory;

        private string Socket => Path.Combine(_directory, "tmux.sock");

        public static Tmux Start(string bashCommand)
        {
            var tmux = new Tmux(Directory.CreateTempSubdirectory("pgmedic-tmux-").FullName);
            // tmux keeps a screen cleared from its top in the history (scroll-on-clear); a terminal does not, and
            // the frame is taken away by clearing from where it began: off, the history is what the program wrote.
            tmux.Run("start-server", ";", "set-option", "-wg", "scroll-on-clear", "off", ";", "new-session", "-d", "-s", "logs", "-x", "100", "-y", "40", "/bin/bash", "-c", bashCommand + "; sleep 600");
            return tmux;
        }

        public string Screen() => Run("capture-pane", "-p", "-t", "logs");

        public void SendKeys(string keys) => Run("send-keys", "-t", "logs", keys);

        public Task<string> WaitForScreenAsync(Func<string, bool> done) => WaitAsync(Screen, done);

        /// <summary>The pane's scrollback and screen.</summary>
        public string History() => Run("capture-pane", "-p", "-t", "logs", "-S", "-", "-E", "-");

        public Task<string> WaitForHistoryAsync(Func<string, bool> done) => WaitAsync(History, done);

        public void Dispose()
        {
            Run("kill-server");
            Directory.Delete(_directory, recursive: true);
        }

        private static async Task<string> WaitAsync(Func<string> capture, Func<string, bool> done)
        {
            var stopwatch = Stopwatch.StartNew();
            while (true)
            {
                var text = capture();
                if (done(text))
                {
                    return text;
                }

                if (stopwatch.Elapsed > Patience)
                {
                    throw new TimeoutException($"tmux never showed what was expected; it shows:\n{text}");
                }

                await Task.Delay(100);
            }
        }

        private string Run(params string[] args)
        {
            var info = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add("-S");
            info.ArgumentList.Add(Socket);
            foreach (var arg in args)
            {
                info.ArgumentList.Add(arg);
            }

            info.Environment["TERM"] = "xterm-256color";
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return output;
        }
    }
}
