using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using PgMedic.Cli.Top;
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
        var idlePane = Between(run.Out, "idle in transaction (1)", "blocking (");
        Assert.Contains(headPid, idlePane, StringComparison.Ordinal);
        Assert.Contains("top-migration", idlePane, StringComparison.Ordinal);
        var blockingPane = run.Out[run.Out.IndexOf("blocking (1 chain(s))", StringComparison.Ordinal)..];
        Assert.Contains(headPid, blockingPane, StringComparison.Ordinal);
        var chainRow = blockingPane.Split('\n').Single(l => l.TrimStart().StartsWith(headPid, StringComparison.Ordinal));
        Assert.Matches(@"\s2\s+\d+, \d+\s", chainRow);
        Assert.All(waiters.Pids, pid => Assert.Contains(pid.ToString(CultureInfo.InvariantCulture), chainRow, StringComparison.Ordinal));
        var runningPane = Between(run.Out, "running (", "idle in transaction (");
        Assert.All(waiters.Pids, pid => Assert.Contains(pid.ToString(CultureInfo.InvariantCulture), runningPane, StringComparison.Ordinal));
        Assert.Contains("Lock:", runningPane, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TopSession_SeveralRefreshes_OneCollectorConnectionThroughout()
    {
        await NoPgMedicSessionsLeftAsync();
        var (collector, probe) = await CollectorConnection.OpenAsync(Sandbox.SuperuserTarget, TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.True(collector is not null, probe.Message);
        await using var observer = await PostgresSandbox.OpenAsync(Sandbox.SuperuserTarget, applicationName: "top-observer");
        var seen = new List<(int Count, int Pid, int FramePid)>();
        TopSession? session = null;
        await using (collector)
        {
            session = new TopSession(collector.CollectAsync, TimeSpan.FromMilliseconds(250), TimeProvider.System, () => session!.Frames >= 4 ? 'q' : null);
            await session.RunAsync(
                async (frame, error, cancellationToken) =>
                {
                    Assert.Null(error);
                    var (count, pid) = await CountAsync(observer);
                    seen.Add((count, pid, frame!.CollectorPid));
                },
                CancellationToken.None);

            Assert.Equal(1, collector.ConnectionsOpened);
        }

        Assert.Equal(4, session.Frames);
        Assert.Equal(4, seen.Count);
        Assert.All(seen, s => Assert.Equal(1, s.Count));
        Assert.Single(seen.Select(s => s.Pid).Distinct());
        Assert.All(seen, s => Assert.Equal(s.Pid, s.FramePid));
        await NoPgMedicSessionsLeftAsync();
    }

    [Fact]
    public async Task TopSession_ServerTerminatesCollector_RefreshSaysWhyThenOneReplacementConnection()
    {
        await NoPgMedicSessionsLeftAsync();
        var (collector, probe) = await CollectorConnection.OpenAsync(Sandbox.SuperuserTarget, TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.True(collector is not null, probe.Message);
        await using var observer = await PostgresSandbox.OpenAsync(Sandbox.SuperuserTarget, applicationName: "top-observer");
        var frames = new List<(int? CollectorPid, string? Error, int Sessions)>();
        TopSession? session = null;
        await using (collector)
        {
            session = new TopSession(collector.CollectAsync, TimeSpan.FromMilliseconds(250), TimeProvider.System, () => session!.Frames >= 3 ? 'q' : null);
            await session.RunAsync(
                async (frame, error, cancellationToken) =>
                {
                    var (count, pid) = await CountAsync(observer);
                    frames.Add((error is null ? frame!.CollectorPid : null, error, count));
                    if (frames.Count == 1)
                    {
                        await using var terminate = new NpgsqlCommand($"SELECT pg_terminate_backend({pid})", observer);
                        await terminate.ExecuteScalarAsync(cancellationToken);
                        await ServerState.WaitUntilGoneAsync(Sandbox, [pid]);
                    }
                },
                CancellationToken.None);

            Assert.Equal(2, collector.ConnectionsOpened);
        }

        Assert.Null(frames[0].Error);
        Assert.NotNull(frames[1].Error);
        Assert.Null(frames[2].Error);
        Assert.NotEqual(frames[0].CollectorPid, frames[2].CollectorPid);
        Assert.All(frames, f => Assert.True(f.Sessions <= 1));
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
            Assert.Contains("q quits", printed, StringComparison.Ordinal);
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

    [GeneratedRegex(@"(\d+)/37 usable slots \([\d.]+ %\) · \d+ left · max_connections 40")]
    private static partial Regex UsageLine();
}
