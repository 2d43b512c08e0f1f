using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using PgMedic.Cli.Top;
using PgMedic.Core.Activity;
using PgMedic.Postgres.Collection;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.Top;

/// <summary><c>pgmedic top</c> against real sessions, and the proof that a live session keeps to one connection.</summary>
[Collection(SandboxCollection.Name)]
public sealed partial class TopCommandTests(SandboxFixture fixture)
{
    private const string CountPgMedicSessions = "SELECT count(*)::int, min(pid) FROM pg_stat_activity WHERE application_name = 'pgmedic'";

    private PostgresSandbox Sandbox => fixture.Sandbox;

    private string Url => Sandbox.SuperuserTarget.ToUrl();

    [Fact]
    public async Task Top_NoTerminal_PrintsOneFrameWithUsageOpenTransactionAndLockChain()
    {
        // Open transactions of earlier tests leave pg_stat_activity a moment after their connections closed.
        await ServerState.WaitUntilAsync(Sandbox, "NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE state LIKE 'idle in transaction%')");
        await Sandbox.ExecuteAsync("CREATE TABLE IF NOT EXISTS top_orders (id int PRIMARY KEY, total int); INSERT INTO top_orders VALUES (1, 10) ON CONFLICT DO NOTHING");
        await using var head = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 1, "top-migration");
        await head.ExecuteOnEachAsync("BEGIN; UPDATE top_orders SET total = total + 1 WHERE id = 1;");
        await using var waiters = await HeldConnections.OpenAsync(Sandbox.SuperuserTarget, 2, "top-checkout");
        var blocked = waiters.Connections
            .Select(c => new NpgsqlCommand("UPDATE top_orders SET total = total + 1 WHERE id = 1", c).ExecuteNonQueryAsync())
            .ToList();
        await ServerState.WaitUntilAsync(Sandbox, "(SELECT count(*) FROM pg_stat_activity WHERE application_name = 'top-checkout' AND wait_event_type = 'Lock') = 2");

        var run = await CliRun.InvokeAsync("top", Url);
        await head.ExecuteOnEachAsync("ROLLBACK");
        await Task.WhenAll(blocked);

        Assert.Equal(0, run.ExitCode);
        Assert.Single(Regex.Matches(run.Out, "pgmedic top "));
        Assert.Contains("one frame (no terminal)", run.Out, StringComparison.Ordinal);
        var usage = UsageLine().Match(run.Out);
        Assert.True(usage.Success, run.Out);
        Assert.True(int.Parse(usage.Groups[1].Value, CultureInfo.InvariantCulture) >= 3);
        Assert.Contains("states ", run.Out, StringComparison.Ordinal);
        Assert.Contains("idle in transaction 1", run.Out, StringComparison.Ordinal);
        var headPid = head.Pids[0].ToString(CultureInfo.InvariantCulture);
        var idlePane = Between(run.Out, "idle in transaction (1)", "lock tree (");
        Assert.Contains(headPid, idlePane, StringComparison.Ordinal);
        Assert.Contains("top-migration", idlePane, StringComparison.Ordinal);
        var treePane = run.Out[run.Out.IndexOf("lock tree (1 chain, 2 waiting)", StringComparison.Ordinal)..];
        var rootRow = treePane.Split('\n').Single(l => l.Trim().StartsWith(headPid + " ", StringComparison.Ordinal));
        Assert.Contains("2 behind", rootRow, StringComparison.Ordinal);
        Assert.All(waiters.Pids, pid => Assert.Matches($"(├─|└─) {pid} ", treePane));
        var runningPane = Between(run.Out, "running (", "idle in transaction (");
        Assert.All(waiters.Pids, pid => Assert.Contains(pid.ToString(CultureInfo.InvariantCulture), runningPane, StringComparison.Ordinal));
        Assert.Contains("Lock:", runningPane, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TopConsole_SeveralRefreshes_OneCollectorConnectionThroughout()
    {
        await NoPgMedicSessionsLeftAsync();
        var (collector, probe) = await CollectorConnection.OpenAsync(Sandbox.SuperuserTarget, TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.True(collector is not null, probe.Message);
        await using var observer = await PostgresSandbox.OpenAsync(Sandbox.SuperuserTarget, applicationName: "top-observer");
        var seen = new List<(int Count, int Pid)>();
        TopConsole? console = null;
        await using (collector)
        {
            var terminal = new ScriptedTerminal(() => console!.Frames >= 4 ? 'q' : null);
            console = new TopConsole(
                async (scope, token) =>
                {
                    var snapshot = await collector.CollectAsync(scope, token);
                    seen.Add(await CountAsync(observer));
                    return snapshot;
                },
                new TopState(TopQuery.Default, TopViewKind.Overview, TimeSpan.FromMilliseconds(250), readOnly: true),
                new TopViewContext("target", Live: true),
                null,
                null,
                terminal,
                TimeProvider.System);
            await console.RunAsync(CancellationToken.None);

            Assert.Equal(1, collector.ConnectionsOpened);
            Assert.Contains(terminal.Screens, s => s.Lines.Any(l => l.Text.StartsWith("running (", StringComparison.Ordinal)));
        }

        Assert.Equal(4, console.Frames);
        Assert.All(seen, s => Assert.Equal(1, s.Count));
        Assert.Single(seen.Select(s => s.Pid).Distinct());
        await NoPgMedicSessionsLeftAsync();
    }

    [Fact]
    public async Task TopConsole_ServerTerminatesCollector_RefreshSaysWhyThenOneReplacementConnection()
    {
        await NoPgMedicSessionsLeftAsync();
        var (collector, probe) = await CollectorConnection.OpenAsync(Sandbox.SuperuserTarget, TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.True(collector is not null, probe.Message);
        await using var observer = await PostgresSandbox.OpenAsync(Sandbox.SuperuserTarget, applicationName: "top-observer");
        var pids = new List<int>();
        var attempts = 0;
        TopConsole? console = null;
        await using (collector)
        {
            var terminal = new ScriptedTerminal(() => console!.Frames >= 2 ? 'q' : null);
            console = new TopConsole(
                async (scope, token) =>
                {
                    attempts++;
                    var snapshot = await collector.CollectAsync(scope, token);
                    var (_, pid) = await CountAsync(observer);
                    pids.Add(pid);
                    if (pids.Count == 1)
                    {
                        await using var terminate = new NpgsqlCommand($"SELECT pg_terminate_backend({pid})", observer);
                        await terminate.ExecuteScalarAsync(token);
                        await ServerState.WaitUntilGoneAsync(Sandbox, [pid]);
                    }

                    return snapshot;
                },
                new TopState(TopQuery.Default, TopViewKind.Overview, TimeSpan.FromMilliseconds(250), readOnly: true),
                new TopViewContext("target", Live: true),
                null,
                null,
                terminal,
                TimeProvider.System);
            await console.RunAsync(CancellationToken.None);

            Assert.Equal(2, collector.ConnectionsOpened);
            Assert.Contains(terminal.Screens, s => s.Lines.Any(l => l.Text.StartsWith("refresh failed:", StringComparison.Ordinal)));
        }

        Assert.Equal(3, attempts);
        Assert.Equal(2, pids.Count);
        Assert.NotEqual(pids[0], pids[1]);
    }

    [Fact]
    public async Task Top_OnPseudoTerminal_RefreshesOverOneConnectionAndQuitsOnQ()
    {
        await NoPgMedicSessionsLeftAsync();
        var output = new System.Text.StringBuilder();
        using var process = StartInPseudoTerminal(output, "top", "--interval", "300ms");
        await using var observer = await PostgresSandbox.OpenAsync(Sandbox.SuperuserTarget, applicationName: "top-observer");
        try
        {
            await ServerState.WaitUntilAsync(Sandbox, "EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'pgmedic')", TimeSpan.FromSeconds(30));
            var samples = new List<(int Count, int Pid)>();
            for (var i = 0; i < 5; i++)
            {
                samples.Add(await CountAsync(observer));
                await Task.Delay(350);
            }

            await process.StandardInput.WriteAsync("q");
            await process.StandardInput.FlushAsync();
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await process.WaitForExitAsync(exit.Token);
            process.WaitForExit();
            string printed;
            lock (output)
            {
                printed = output.ToString();
            }


            Assert.Equal(0, process.ExitCode);
            Assert.All(samples, s => Assert.Equal(1, s.Count));
            Assert.Single(samples.Select(s => s.Pid).Distinct());
            Assert.Contains("q quit", printed, StringComparison.Ordinal);
            Assert.Contains("usable slots", printed, StringComparison.Ordinal);
            Assert.DoesNotContain(Sandbox.SuperuserPassword, printed, StringComparison.Ordinal);
            await NoPgMedicSessionsLeftAsync();
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task Top_IntervalTooShort_ExitThreeOneLine()
    {
        var run = await CliRun.InvokeAsync("top", Url, "--interval", "10ms");

        Assert.Equal(3, run.ExitCode);
        Assert.Equal("pgmedic: --interval 10ms is too short: use at least 250ms", run.Error.Trim());
    }

    [Fact]
    public async Task Top_BadInterval_ExitThreeOneLine()
    {
        var run = await CliRun.InvokeAsync("top", Url, "--interval", "often");

        Assert.Equal(3, run.ExitCode);
        Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--interval 'often' is not a duration", run.Error, StringComparison.Ordinal);
    }

    // A closed connection's backend leaves pg_stat_activity a moment after the client let go.
    private Task NoPgMedicSessionsLeftAsync() =>
        ServerState.WaitUntilAsync(Sandbox, "NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'pgmedic')", TimeSpan.FromSeconds(10));

    private static async Task<(int Count, int Pid)> CountAsync(NpgsqlConnection observer)
    {
        await using var command = new NpgsqlCommand(CountPgMedicSessions, observer);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt32(0), reader.IsDBNull(1) ? 0 : reader.GetInt32(1));
    }

    private static string Between(string text, string start, string end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal);
        Assert.True(from >= 0, $"'{start}' not found in:\n{text}");
        var to = text.IndexOf(end, from + start.Length, StringComparison.Ordinal);
        return to < 0 ? text[from..] : text[from..to];
    }

    // script(1) gives pgmedic a pseudo-terminal, so it runs the live view as on a real terminal; the
    // target goes in through DATABASE_URL so no password is on a command line.
    private Process StartInPseudoTerminal(System.Text.StringBuilder output, params string[] args)
    {
        var pgmedic = "exec " + string.Join(' ', BuildOutput.CliCommand.Concat(args).Select(a => "'" + a + "'"));
        var info = new ProcessStartInfo("script", ["-qfec", pgmedic, "/dev/null"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["DATABASE_URL"] = Url;
        info.Environment["TERM"] = "xterm";
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>A terminal of 120×40 whose keys come from a function, keeping every screen drawn.</summary>
    private sealed class ScriptedTerminal(Func<char?> key) : ITopTerminal
    {
        public List<TopScreen> Screens { get; } = [];

        public (int Width, int Height) Size => (120, 40);

        public async Task<TerminalInput?> NextAsync(TimeSpan? timeout, CancellationToken cancellationToken)
        {
            if (key() is { } c)
            {
                return new TerminalInput(new ConsoleKeyInfo(c, ConsoleKey.NoName, false, false, false), Resized: false);
            }

            await Task.Delay(timeout is { } t && t < TimeSpan.FromMilliseconds(20) ? t : TimeSpan.FromMilliseconds(20), cancellationToken);
            return null;
        }

        public void Draw(TopScreen screen, int width, int height) => Screens.Add(screen);
    }

    [GeneratedRegex(@"(\d+)/37 usable slots \([\d.]+ %\) · \d+ left · max_connections 40")]
    private static partial Regex UsageLine();
}
