using System.Diagnostics;
using System.Globalization;
using PgMedic.Postgres.Sandbox;

namespace PgMedic.Testing;

/// <summary>A real <c>pg_receivewal</c> streaming from a sandbox: the server shows it as a walsender.</summary>
public sealed class WalReceiver : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private WalReceiver(Process process, string directory)
    {
        _process = process;
        _directory = directory;
    }

    public static async Task<WalReceiver> StartAsync(PostgresSandbox sandbox)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        var directory = Directory.CreateTempSubdirectory("pgmedic-receivewal-").FullName;
        var info = new ProcessStartInfo("pg_receivewal", ["-D", directory, "-h", "127.0.0.1", "-p", sandbox.Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "--no-loop", "-w"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        info.Environment["PGPASSWORD"] = sandbox.SuperuserPassword;
        var receiver = new WalReceiver(Process.Start(info)!, directory);
        await ServerState.WaitUntilAsync(sandbox, "EXISTS (SELECT 1 FROM pg_stat_replication WHERE state = 'streaming')");
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
