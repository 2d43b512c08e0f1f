using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using PgMedic.Postgres.Processes;
using PgMedic.Postgres.Targets;

namespace PgMedic.Postgres.Sandbox;

/// <summary>
/// A throwaway PostgreSQL server: its own directory, a free 127.0.0.1 port, scram password
/// authentication and a generated superuser password. Disposing stops it and removes the directory.
/// The demo and every test use this same code.
/// </summary>
public sealed class PostgresSandbox : IAsyncDisposable
{
    internal const string DataDirectoryName = "data";
    private const string SuperuserName = "postgres";
    private const int PortAttempts = 5;

    private readonly PostgresBinaries _binaries;
    private readonly ILogger _logger;
    private readonly TimeSpan _startTimeout;
    private int _disposed;

    private PostgresSandbox(PostgresBinaries binaries, string directory, string password, ILogger logger, TimeSpan startTimeout)
    {
        _binaries = binaries;
        Directory = directory;
        SuperuserPassword = password;
        _logger = logger;
        _startTimeout = startTimeout;
    }

    /// <summary>The sandbox's own directory (data directory, socket, log).</summary>
    public string Directory { get; }

    public string DataDirectory => Path.Combine(Directory, DataDirectoryName);

    public string ServerLogPath => Path.Combine(Directory, "server.log");

    public int Port { get; private set; }

    public string SuperuserPassword { get; }

    /// <summary>The server's version as it reports it (e.g. "15.18").</summary>
    public string ServerVersion { get; private set; } = string.Empty;

    /// <summary>The superuser's target, database <c>postgres</c>.</summary>
    public ConnectionTarget SuperuserTarget => TargetFor(SuperuserName, SuperuserPassword, "postgres");

    /// <summary>The postmaster's PID while the server runs.</summary>
    public int? PostmasterPid => SandboxJanitor.ReadPostmasterPid(DataDirectory);

    public bool IsRunning => PostmasterPid is { } pid && SandboxJanitor.IsAlive(pid);

    public ConnectionTarget TargetFor(string user, string? password, string database = "postgres") =>
        new() { Host = "127.0.0.1", Port = Port, User = user, Password = password, Database = database };

    /// <summary>Starts a new sandbox. Also removes sandboxes that crashed earlier runs left behind.</summary>
    /// <exception cref="SandboxException">The server programs are missing or the server did not start; the message says why.</exception>
    public static async Task<PostgresSandbox> StartAsync(SandboxOptions? options = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        options ??= new SandboxOptions();
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new SandboxException("invalid sandbox options: " + string.Join("; ", errors));
        }

        logger ??= NullLogger.Instance;
        var binaries = PostgresBinaries.Locate();
        await SandboxJanitor.CleanUpAbandonedAsync(options.TempRoot, binaries, logger, cancellationToken).ConfigureAwait(false);

        var stopwatch = Stopwatch.StartNew();
        var directory = Path.Combine(options.TempRoot, SandboxJanitor.DirectoryPrefix + RandomSuffix());
        System.IO.Directory.CreateDirectory(directory);
        SandboxOwner.Write(directory);
        var sandbox = new PostgresSandbox(binaries, directory, GeneratePassword(), logger, options.StartTimeout);
        try
        {
            await sandbox.InitializeAsync(options, cancellationToken).ConfigureAwait(false);
            await sandbox.StartOnFreePortAsync(cancellationToken).ConfigureAwait(false);
            await sandbox.AfterStartAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await sandbox.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        SandboxLog.Ready(logger, sandbox.ServerVersion, sandbox.Port, directory, stopwatch.ElapsedMilliseconds);
        return sandbox;
    }

    /// <summary>Stops the server but keeps the directory, so it can be started again (a "server down" incident).</summary>
    public async Task StopServerAsync(CancellationToken cancellationToken = default)
    {
        await SandboxJanitor.StopServerAsync(_binaries, Directory, cancellationToken).ConfigureAwait(false);
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Starts the server again on the same port after <see cref="StopServerAsync"/>.</summary>
    public async Task StartServerAsync(CancellationToken cancellationToken = default)
    {
        if (!await TryStartAsync(Port, cancellationToken).ConfigureAwait(false))
        {
            throw new SandboxException($"sandbox server did not restart on port {Port}: {LastLogLine()}");
        }
    }

    /// <summary>
    /// Starts a smart shutdown without waiting for it: the server refuses new logins ("the database
    /// system is shutting down") until its last session ends, then stops.
    /// </summary>
    public async Task BeginSmartShutdownAsync(CancellationToken cancellationToken = default)
    {
        var result = await CommandRunner.RunAsync(
            _binaries.PgCtl, ["stop", "-D", DataDirectory, "-m", "smart", "-W"], Directory, TimeSpan.FromSeconds(10), asServerUser: true, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new SandboxException($"pg_ctl stop -m smart failed: {result.LastLine}");
        }
    }

    /// <summary>Runs SQL as the superuser on one unpooled connection.</summary>
    public async Task ExecuteAsync(string sql, string database = "postgres", CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(SuperuserTarget.WithDatabase(database), cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates a login role and returns its target.</summary>
    public async Task<ConnectionTarget> CreateRoleAsync(string name, string password, string extraOptions = "", string database = "postgres", CancellationToken cancellationToken = default)
    {
        var quotedPassword = password.Replace("'", "''", StringComparison.Ordinal);
        await ExecuteAsync($"CREATE ROLE \"{name}\" LOGIN PASSWORD '{quotedPassword}' {extraOptions}", cancellationToken: cancellationToken).ConfigureAwait(false);
        return TargetFor(name, password, database);
    }

    /// <summary>Opens an unpooled connection to a target of this sandbox.</summary>
    public static async Task<NpgsqlConnection> OpenAsync(ConnectionTarget target, CancellationToken cancellationToken = default, string applicationName = "pgmedic-sandbox")
    {
        ArgumentNullException.ThrowIfNull(target);
        var connection = new NpgsqlConnection(target.ToNpgsqlConnectionString(applicationName, TimeSpan.FromSeconds(10)));
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Leaves the server and directory in place when this object is disposed (demo --keep).</summary>
    public void Keep() => SandboxOwner.MarkKept(Directory);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1 || SandboxOwner.IsKept(Directory))
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await SandboxJanitor.StopServerAsync(_binaries, Directory, CancellationToken.None).ConfigureAwait(false);
        if (SandboxJanitor.TryDelete(Directory, _logger))
        {
            SandboxLog.Stopped(_logger, Port, Directory);
        }
    }

    private async Task InitializeAsync(SandboxOptions options, CancellationToken cancellationToken)
    {
        if (CommandRunner.IsRoot)
        {
            await RunCheckedAsync("chown", ["-R", $"{CommandRunner.ServerOsUser}:", Directory], asServerUser: false, "could not hand the sandbox directory to the postgres OS user", cancellationToken).ConfigureAwait(false);
        }

        var passwordFile = Path.Combine(Directory, "pwfile");
        await RunAsServerUserWritingAsync(passwordFile, SuperuserPassword, cancellationToken).ConfigureAwait(false);
        await RunCheckedAsync(
            _binaries.InitDb,
            ["-D", DataDirectory, "-U", SuperuserName, "--pwfile", passwordFile, "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"],
            asServerUser: true,
            "initdb failed",
            cancellationToken).ConfigureAwait(false);
        File.Delete(passwordFile);
        await File.AppendAllTextAsync(Path.Combine(DataDirectory, "postgresql.conf"), ServerSettings(options), cancellationToken).ConfigureAwait(false);
    }

    private string ServerSettings(SandboxOptions options)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["listen_addresses"] = "127.0.0.1",
            ["unix_socket_directories"] = Directory,
            ["max_connections"] = options.MaxConnections.ToString(CultureInfo.InvariantCulture),
            ["superuser_reserved_connections"] = options.SuperuserReservedConnections.ToString(CultureInfo.InvariantCulture),
            ["shared_preload_libraries"] = "pg_stat_statements",
            ["shared_buffers"] = "16MB",
            ["fsync"] = "off",
            ["synchronous_commit"] = "off",
            ["full_page_writes"] = "off",
            ["logging_collector"] = "off",
            ["log_line_prefix"] = "%m [%p] %q%u@%d ",
            ["dynamic_shared_memory_type"] = "posix",
        };
        foreach (var (name, value) in options.Settings)
        {
            settings[name] = value;
        }

        var text = new StringBuilder("\n# pgmedic sandbox\n");
        foreach (var (name, value) in settings)
        {
            text.Append(name).Append(" = '").Append(value.Replace("'", "''", StringComparison.Ordinal)).Append("'\n");
        }

        return text.ToString();
    }

    private async Task StartOnFreePortAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < PortAttempts; attempt++)
        {
            var port = FreePort();
            if (await TryStartAsync(port, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            if (!LastLogLine().Contains("could not bind", StringComparison.OrdinalIgnoreCase)
                && !File.ReadAllText(ServerLogPath).Contains("Address already in use", StringComparison.Ordinal))
            {
                break;
            }

            SandboxLog.PortTaken(_logger, port);
        }

        throw new SandboxException($"sandbox PostgreSQL did not start: {LastLogLine()} (log: {ServerLogPath})");
    }

    private async Task<bool> TryStartAsync(int port, CancellationToken cancellationToken)
    {
        Port = port;
        var seconds = Math.Max(1, (int)_startTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        var result = await CommandRunner.RunAsync(
            _binaries.PgCtl,
            ["start", "-D", DataDirectory, "-l", ServerLogPath, "-w", "-t", seconds, "-o", $"-p {port.ToString(CultureInfo.InvariantCulture)}"],
            Directory,
            _startTimeout + TimeSpan.FromSeconds(5),
            asServerUser: true,
            cancellationToken).ConfigureAwait(false);
        return result.Succeeded;
    }

    private async Task AfterStartAsync(SandboxOptions options, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(SuperuserTarget, cancellationToken).ConfigureAwait(false);
        ServerVersion = connection.ServerVersion;
        if (options.CreatePgStatStatements)
        {
            await using var command = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", connection);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RunCheckedAsync(string fileName, IEnumerable<string> arguments, bool asServerUser, string failure, CancellationToken cancellationToken)
    {
        var result = await CommandRunner.RunAsync(fileName, arguments, Directory, _startTimeout, asServerUser, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new SandboxException($"{failure}: {result.LastLine}");
        }
    }

    // The password file must be readable by the server's OS user but by nobody else.
    private async Task RunAsServerUserWritingAsync(string path, string content, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(path, content + "\n", cancellationToken).ConfigureAwait(false);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        if (CommandRunner.IsRoot)
        {
            await RunCheckedAsync("chown", [$"{CommandRunner.ServerOsUser}:", path], asServerUser: false, "could not hand the password file to the postgres OS user", cancellationToken).ConfigureAwait(false);
        }
    }

    private string LastLogLine()
    {
        try
        {
            return File.ReadLines(ServerLogPath).LastOrDefault(l => l.Length > 0) ?? "(empty server log)";
        }
        catch (IOException)
        {
            return "(no server log)";
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RandomSuffix() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));

    private static string GeneratePassword() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', 'x').Replace('/', 'y');
}
