using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Npgsql;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Core.Tests.Logs;

/// <summary>
/// A small sandbox (max_connections 5, 1 reserved) writing stderr, csvlog and jsonlog through the
/// logging collector, on which every server-side message <c>pgmedic logs</c> knows is triggered for real.
/// </summary>
public sealed class LoggingSandboxFixture : IAsyncLifetime
{
    public const string AppUser = "logs_app";
    public const string AppPassword = "logs-app-pw";

    private PostgresSandbox? _sandbox;

    public PostgresSandbox Sandbox => _sandbox ?? throw new InvalidOperationException("not started");

    public string LogDirectory => Path.Combine(Sandbox.DataDirectory, "log");

    public DateTimeOffset TriggeredFrom { get; private set; }

    public async Task InitializeAsync()
    {
        _sandbox = await PostgresSandbox.StartAsync(new SandboxOptions
        {
            MaxConnections = 5,
            SuperuserReservedConnections = 1,
            CreatePgStatStatements = false,
            Settings = new Dictionary<string, string> { ["log_destination"] = "stderr,csvlog,jsonlog", ["logging_collector"] = "on" },
        });
        await _sandbox.CreateRoleAsync(AppUser, AppPassword);
        TriggeredFrom = DateTimeOffset.UtcNow.AddSeconds(-1);
        await FillTheServerAsync();
        await IdleInTransactionTimeoutAsync();
        await WrongPasswordAsync();
        await ResetMidLoginAsync();
        await TerminateAsync();
        await StatementTimeoutAsync();
        await WaitForLogsAsync();
    }

    public async Task DisposeAsync()
    {
        if (_sandbox is not null)
        {
            await _sandbox.DisposeAsync();
        }
    }

    /// <summary>The newest file of the log directory with this extension (.log stderr, .csv, .json).</summary>
    public string LogFile(string extension) =>
        Directory.GetFiles(LogDirectory, "*" + extension).OrderBy(File.GetLastWriteTimeUtc).Last();

    // 4 usable slots for ordinary roles: the 5th login gets "reserved", the 6th (a superuser) "too many".
    private async Task FillTheServerAsync()
    {
        var app = Sandbox.TargetFor(AppUser, AppPassword);
        await using var held = await HeldConnections.OpenAsync(app, 4, "filler");
        await Assert.ThrowsAsync<PostgresException>(() => PostgresSandbox.OpenAsync(app));
        await held.AddAsync(Sandbox.SuperuserTarget, 1, "last-slot");
        await Assert.ThrowsAsync<PostgresException>(() => PostgresSandbox.OpenAsync(Sandbox.SuperuserTarget));
    }

    private async Task IdleInTransactionTimeoutAsync()
    {
        await using var held = await HeldConnections.OpenAsync(Sandbox.TargetFor(AppUser, AppPassword), 1, "forgot-to-commit");
        await held.ExecuteOnEachAsync("SET idle_in_transaction_session_timeout = '200ms'; BEGIN; SELECT 1");
        await ServerState.WaitUntilAsync(Sandbox, "NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'forgot-to-commit')");
    }

    private async Task WrongPasswordAsync() =>
        await Assert.ThrowsAsync<PostgresException>(() => PostgresSandbox.OpenAsync(Sandbox.TargetFor(AppUser, "wrong-password")));

    // A client that sends a startup packet, reads the authentication request and resets the
    // connection: the backend logs "could not receive data from client: Connection reset by peer".
    private async Task ResetMidLoginAsync()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", Sandbox.Port);
        var parameters = Encoding.ASCII.GetBytes("user\0postgres\0database\0postgres\0\0");
        var startup = new byte[8 + parameters.Length];
        BinaryPrimitives.WriteInt32BigEndian(startup, startup.Length);
        BinaryPrimitives.WriteInt32BigEndian(startup.AsSpan(4), 196608);
        parameters.CopyTo(startup, 8);
        await socket.SendAsync(startup);
        var reply = new byte[64];
        await socket.ReceiveAsync(reply);
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    // Runbook step 1's pg_terminate_backend: the backend logs "terminating connection due to administrator command".
    private async Task TerminateAsync()
    {
        await using var held = await HeldConnections.OpenAsync(Sandbox.TargetFor(AppUser, AppPassword), 1, "terminated-by-runbook");
        await Sandbox.ExecuteAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'terminated-by-runbook'");
        await ServerState.WaitUntilAsync(Sandbox, "NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'terminated-by-runbook')");
    }

    private async Task StatementTimeoutAsync()
    {
        await using var held = await HeldConnections.OpenAsync(Sandbox.TargetFor(AppUser, AppPassword), 1, "slow-report");
        await Assert.ThrowsAsync<PostgresException>(() => held.ExecuteOnEachAsync("SET statement_timeout = 100; SELECT pg_sleep(2)"));
    }

    private async Task WaitForLogsAsync()
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        while (true)
        {
            var texts = new[] { ".log", ".csv", ".json" }.Select(ext => Directory.GetFiles(LogDirectory, "*" + ext).Select(Read).FirstOrDefault() ?? string.Empty).ToList();
            if (texts.All(t => t.Contains("could not receive data from client", StringComparison.Ordinal) && t.Contains("canceling statement due to statement timeout", StringComparison.Ordinal)))
            {
                return;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException("the server logs never showed every triggered message: " + string.Join("\n----\n", texts));
            }

            await Task.Delay(50);
        }
    }

    private static string Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
