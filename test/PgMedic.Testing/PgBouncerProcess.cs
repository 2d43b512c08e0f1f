using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using PgMedic.Postgres.Sandbox;
using PgMedic.Postgres.Targets;

namespace PgMedic.Testing;

/// <summary>
/// A real PgBouncer in front of a sandbox: its own directory, ini and auth_file, a free 127.0.0.1
/// port, run in the foreground as the postgres OS user (pgbouncer -u postgres when root), a child
/// process this object owns and kills by PID. Disposing stops it and removes the directory.
/// </summary>
public sealed class PgBouncerProcess : IAsyncDisposable
{
    public const string AdminUser = "pgmedic_admin";
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private PgBouncerProcess(Process process, string directory, int port, string adminPassword)
    {
        _process = process;
        Directory = directory;
        Port = port;
        AdminPassword = adminPassword;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
    }

    public string Directory { get; }

    public int Port { get; }

    public string AdminPassword { get; }

    public string LogPath => Path.Combine(Directory, "pgbouncer.log");

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

    /// <summary>The admin console: database <c>pgbouncer</c>, user <see cref="AdminUser"/>.</summary>
    public ConnectionTarget AdminTarget => new() { Host = "127.0.0.1", Port = Port, User = AdminUser, Password = AdminPassword, Database = "pgbouncer" };

    public ConnectionTarget TargetFor(string user, string password, string database) =>
        new() { Host = "127.0.0.1", Port = Port, User = user, Password = password, Database = database };

    public static string? Binary =>
        new[] { "/usr/sbin/pgbouncer", "/usr/bin/pgbouncer", "/usr/local/bin/pgbouncer" }.FirstOrDefault(File.Exists);

    /// <param name="databases">Lines of the [databases] section; "{port}" is replaced by the sandbox's port.</param>
    /// <param name="users">Users PgBouncer lets in (and logs in to the server with), name → password.</param>
    /// <param name="pgbouncerSection">Text of the [pgbouncer] section besides listening, auth and logging.</param>
    public static async Task<PgBouncerProcess> StartAsync(PostgresSandbox server, IEnumerable<string> databases, IReadOnlyDictionary<string, string> users, string pgbouncerSection)
    {
        ArgumentNullException.ThrowIfNull(server);
        var binary = Binary ?? throw new InvalidOperationException("pgbouncer is not installed: apt-get install -y --no-install-recommends pgbouncer (test.sh does it)");
        var directory = Path.Combine(Path.GetTempPath(), "pgmedic-pgbouncer-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5)));
        System.IO.Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var adminPassword = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(9));
        var authFile = new StringBuilder();
        authFile.Append(CultureInfo.InvariantCulture, $"\"{AdminUser}\" \"{adminPassword}\"\n");
        foreach (var (user, password) in users)
        {
            authFile.Append(CultureInfo.InvariantCulture, $"\"{user}\" \"{password}\"\n");
        }

        await File.WriteAllTextAsync(Path.Combine(directory, "users.txt"), authFile.ToString());
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var port = FreePort();
            var ini = new StringBuilder("[databases]\n");
            foreach (var line in databases)
            {
                ini.Append(line.Replace("{port}", server.Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)).Append('\n');
            }

            // A section given whole (as pgmedic advise --emit pgbouncer writes it) brings its own header.
            ini.Append(pgbouncerSection.TrimStart().StartsWith("[pgbouncer]", StringComparison.Ordinal) ? "\n" : "\n[pgbouncer]\n").Append(pgbouncerSection).Append('\n');
            ini.Append(CultureInfo.InvariantCulture, $"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n");
            ini.Append(CultureInfo.InvariantCulture, $"auth_type = md5\nauth_file = {directory}/users.txt\nadmin_users = {AdminUser}\n");
            ini.Append(CultureInfo.InvariantCulture, $"logfile = {directory}/pgbouncer.log\npidfile =\n");
            var iniPath = Path.Combine(directory, "pgbouncer.ini");
            await File.WriteAllTextAsync(iniPath, ini.ToString());
            await ChownAsync(directory);

            // As root, pgbouncer's own -u drops to the postgres OS user: the child is pgbouncer itself,
            // so killing it by PID leaves no wrapper and no unreaped process behind.
            var info = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            if (string.Equals(Environment.UserName, "root", StringComparison.Ordinal))
            {
                info.ArgumentList.Add("-u");
                info.ArgumentList.Add("postgres");
            }

            info.ArgumentList.Add(iniPath);
            var process = new Process { StartInfo = info };
            var bouncer = new PgBouncerProcess(process, directory, port, adminPassword);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (await bouncer.WaitListeningAsync(TimeSpan.FromSeconds(10)))
            {
                return bouncer;
            }

            last = new InvalidOperationException($"pgbouncer did not start: {bouncer.Output} {bouncer.ReadLog()}");
            bouncer.Kill();
        }

        System.IO.Directory.Delete(directory, recursive: true);
        throw last!;
    }

    public string ReadLog()
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await Task.Yield();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still being closed; the temp directory is cleaned by the OS eventually.
        }
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private async Task<bool> WaitListeningAsync(TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                return false;
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        return false;
    }

    private static async Task ChownAsync(string directory)
    {
        if (!string.Equals(Environment.UserName, "root", StringComparison.Ordinal))
        {
            return;
        }

        using var chown = Process.Start("chown", ["-R", "postgres:", directory]);
        await chown.WaitForExitAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
