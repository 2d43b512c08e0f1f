using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Cli.Tests.AppPools;

/// <summary>
/// The runbook's own stack: a real SQLAlchemy service (clients/python/examples/leaky_service.py on Debian's
/// SQLAlchemy 1.4 and psycopg2) leaks a connection two ways — checked out and never returned, and left
/// idle in a transaction — and <c>pgmedic pools</c> and <c>diagnose --pool-endpoint</c> read its pool.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed partial class PythonServiceTests(SandboxFixture fixture)
{
    private PostgresSandbox Sandbox => fixture.Sandbox;

    [Fact]
    public async Task Pools_SqlAlchemyServiceLeakingTwoWays_NumbersHoldersAndCallSitesFromThePythonFile()
    {
        var role = await Sandbox.CreateRoleAsync("py_app", "py-app-pw");
        using var service = await PythonService.StartAsync(role.ToUrl());
        await service.PostAsync("/demo/leak/checked-out");
        await service.PostAsync("/demo/leak/in-transaction");
        await Task.Delay(1500);
        var serverPids = await ServerState.PidsOfApplicationAsync(Sandbox, "leaky-python");

        var json = await CliRun.InvokeAsync("pools", service.PoolEndpoint, "--format", "json");
        var table = await CliRun.InvokeAsync("pools", service.PoolEndpoint);
        var diagnose = await CliRun.InvokeAsync("diagnose", Sandbox.SuperuserTarget.ToUrl(), "--pool-endpoint", service.PoolEndpoint, "--iit-warning", "1s", "--iit-critical", "1h", "--format", "json");

        Assert.Equal(1, json.ExitCode);
        using var document = JsonDocument.Parse(json.Out);
        var pool = Assert.Single(document.RootElement.GetProperty("pools").EnumerateArray());
        Assert.Equal((2, 3, 3), (pool.GetProperty("checkedOut").GetInt32(), pool.GetProperty("poolSize").GetInt32(), pool.GetProperty("maxConnections").GetInt32()));
        Assert.Equal(JsonValueKind.Null, pool.GetProperty("waiting").ValueKind);
        Assert.StartsWith($"{service.Pid}@", pool.GetProperty("process").GetString(), StringComparison.Ordinal);
        var holders = pool.GetProperty("holders").EnumerateArray().ToList();
        Assert.Equal(serverPids.Order(), holders.Select(h => h.GetProperty("backendPid").GetInt32()).Order());
        var (checkedOutLine, inTransactionLine) = PythonService.LeakLines();
        Assert.Contains(holders, h => CallSite(h) == ("leaky_service.py", checkedOutLine, "leak_checked_out"));
        Assert.Contains(holders, h => CallSite(h) == ("leaky_service.py", inTransactionLine, "leak_in_transaction") && h.GetProperty("state").GetString() == "idle in transaction");
        Assert.All(holders, h => Assert.True(h.GetProperty("leaked").GetBoolean()));
        Assert.Contains($"at leaky_service.py:{checkedOutLine} (leak_checked_out), leak suspected", table.Out, StringComparison.Ordinal);
        Assert.Contains("unknown", table.Out, StringComparison.Ordinal);

        using var diagnosis = JsonDocument.Parse(diagnose.Out);
        var finding = diagnosis.RootElement.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("code").GetString() == "idle-in-transaction");
        var joined = Assert.Single(finding.GetProperty("holders").EnumerateArray());
        Assert.Equal(("leaky_service.py", inTransactionLine, "leak_in_transaction"), CallSite(joined));
        var inTransactionPid = holders.Single(h => h.GetProperty("callSite").GetProperty("member").GetString() == "leak_in_transaction").GetProperty("backendPid").GetInt32();
        Assert.Equal([inTransactionPid], finding.GetProperty("pids").EnumerateArray().Select(p => p.GetInt32()).Where(serverPids.Contains));
        Assert.Contains($"held at leaky_service.py:{inTransactionLine} (leak_in_transaction)", finding.GetProperty("summary").GetString(), StringComparison.Ordinal);

        // The connection checked out and left idle: one is too few for the hoarding rule, but its pool reports it.
        var checkedOutPid = holders.Single(h => h.GetProperty("callSite").GetProperty("member").GetString() == "leak_checked_out").GetProperty("backendPid").GetInt32();
        var leak = diagnosis.RootElement.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("code").GetString() == "application-leak");
        Assert.Equal([checkedOutPid], leak.GetProperty("pids").EnumerateArray().Select(p => p.GetInt32()));
        Assert.Equal(("leaky_service.py", checkedOutLine, "leak_checked_out"), CallSite(Assert.Single(leak.GetProperty("holders").EnumerateArray())));
        Assert.Contains($"checked out at leaky_service.py:{checkedOutLine} (leak_checked_out) past its leak threshold", leak.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal(checkedOutPid, leak.GetProperty("fix").GetProperty("options").GetProperty("pid").GetInt32());
    }

    [Fact]
    public async Task Pools_EndpointDown_ExitTwoAndSaysWhich()
    {
        var endpoint = $"http://127.0.0.1:{SilentListener.UnusedPort()}/health/pool";

        var run = await CliRun.InvokeAsync("pools", endpoint);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("not read:", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pools_EndpointWithCredentials_NeverShowsThePassword()
    {
        var endpoint = $"http://svc:S3cret-Pool-Pw@127.0.0.1:{SilentListener.UnusedPort()}/health/pool";

        var run = await CliRun.InvokeAsync("pools", endpoint, "--format", "json");

        Assert.DoesNotContain("S3cret-Pool-Pw", run.All, StringComparison.Ordinal);
        Assert.Contains("svc:***@127.0.0.1", run.Out, StringComparison.Ordinal);
    }

    private static (string File, int Line, string Member) CallSite(JsonElement holder)
    {
        var site = holder.GetProperty("callSite");
        return (Path.GetFileName(site.GetProperty("file").GetString()!), site.GetProperty("line").GetInt32(), site.GetProperty("member").GetString()!);
    }

    /// <summary>The example service as its own process, on a free loopback port.</summary>
    private sealed partial class PythonService : IDisposable
    {
        private readonly Process _process;
        private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

        private PythonService(Process process, string address)
        {
            _process = process;
            Address = address;
        }

        public string Address { get; }

        public string PoolEndpoint => Address + "/health/pool";

        public int Pid => _process.Id;

        private static string Script => Path.Combine(BuildOutput.RepositoryRoot(), "clients", "python", "examples", "leaky_service.py");

        public static async Task<PythonService> StartAsync(string databaseUrl)
        {
            var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add(Script);
            info.Environment["DATABASE_URL"] = databaseUrl;
            info.Environment["DATABASE_POOL_SIZE"] = "3";
            info.Environment["DATABASE_MAX_OVERFLOW"] = "0";
            info.Environment["DATABASE_POOL_TIMEOUT"] = "1";
            info.Environment["DATABASE_LEAK_THRESHOLD"] = "1";
            info.Environment["SERVICE_NAME"] = "leaky-python";
            info.Environment["PORT"] = "0";
            info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
            var process = Process.Start(info)!;
            process.ErrorDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            using var ready = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (await process.StandardOutput.ReadLineAsync(ready.Token) is { } line)
            {
                if (Listening().Match(line) is { Success: true } match)
                {
                    return new PythonService(process, match.Groups["address"].Value);
                }
            }

            throw new InvalidOperationException($"the Python service exited ({process.ExitCode}) before it listened");
        }

        /// <summary>The lines of the two leaks in the example (marked "# LEAK: …" there).</summary>
        public static (int CheckedOut, int InTransaction) LeakLines()
        {
            var lines = File.ReadAllLines(Script);
            int Line(string marker) => Array.FindIndex(lines, l => l.Contains(marker, StringComparison.Ordinal)) + 1;
            return (Line("# LEAK: checked out"), Line("# LEAK: in transaction"));
        }

        public async Task PostAsync(string path)
        {
            using var response = await _http.PostAsync(new Uri(Address + path), null);
            response.EnsureSuccessStatusCode();
        }

        public void Dispose()
        {
            _http.Dispose();
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }

            _process.Dispose();
        }

        [GeneratedRegex(@"listening on (?<address>http://127\.0\.0\.1:\d+)")]
        private static partial Regex Listening();
    }
}
