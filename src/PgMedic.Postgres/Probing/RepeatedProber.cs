using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using PgMedic.Core.Probing;
using PgMedic.Core.Statements;
using PgMedic.Postgres.Targets;
using PgMedic.Postgres.Wire;

namespace PgMedic.Postgres.Probing;

/// <summary>
/// The monitor's probe of one target, poll after poll: a fresh login as an application makes one, then
/// <c>SELECT 1</c>, as <see cref="Prober"/> does, but spoken in PostgreSQL's protocol directly so that SCRAM's
/// salted password (PBKDF2 over 4096 rounds: 1–2 ms of CPU on every login through Npgsql, most of a poll's cost
/// at hundreds of targets) is derived once and kept while the server sends the same salt and rounds, which
/// change only with the password. The server still checks the whole login every time.
/// <para>
/// Covers what a plaintext login is: TCP, sslmode disable or prefer against a server that offers no TLS, SCRAM-SHA-256
/// or no password asked. Anything else — a Unix socket, TLS, MD5 or a password in clear, a server that answers
/// what this does not expect — is probed through <see cref="Prober"/> (Npgsql), from then on. Failures read
/// as Npgsql's do: the same outcome, reason, SQLSTATE and message.
/// </para>
/// </summary>
public sealed class RepeatedProber(ConnectionTarget target)
{
    private const int SslRequestCode = 80877103;
    private const string Mechanism = "SCRAM-SHA-256";

    private (string Salt, int Iterations, byte[] SaltedPassword)? _scram;
    private bool _unsupported = !Covers(target);

    /// <summary>How many times a salted password was derived: once per salt the server sent.</summary>
    internal int Derivations { get; private set; }

    /// <summary>Whether the probes go through Npgsql (the target or its server needs what this does not speak).</summary>
    public bool ThroughNpgsql => _unsupported;

    public async Task<ProbeResult> ProbeAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_unsupported)
        {
            return await Prober.ProbeAsync(target, timeout, cancellationToken).ConfigureAwait(false);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        double? connectMs = null;
        try
        {
            var stopwatch = Stopwatch.StartNew();
            using var socket = await ConnectAsync(deadline.Token).ConfigureAwait(false);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var (serverVersion, backendPid) = await LoginAsync(stream, deadline.Token).ConfigureAwait(false);
            connectMs = Math.Round(stopwatch.Elapsed.TotalMilliseconds, 2);
            stopwatch.Restart();
            await SendAsync(stream, 'Q', WireMessages.Cstring(StatementSources.Marker + "SELECT 1"), deadline.Token).ConfigureAwait(false);
            await ReadUntilReadyAsync(stream, deadline.Token).ConfigureAwait(false);
            var queryMs = Math.Round(stopwatch.Elapsed.TotalMilliseconds, 2);
            await SendAsync(stream, 'X', [], deadline.Token).ConfigureAwait(false);
            return new ProbeResult(target.Masked, ProbeOutcome.Accepting, null, null, null, connectMs, queryMs, serverVersion) { BackendPid = backendPid };
        }
        catch (NotCoveredException)
        {
            _unsupported = true;
            return await Prober.ProbeAsync(target, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Prober.IsConnectionFailure(ex, cancellationToken))
        {
            return Prober.Failed(target, ex, timeout, connectMs);
        }
    }

    private static bool Covers(ConnectionTarget target) =>
        target.User is not null
        && !target.Host.StartsWith('/')
        && !target.Host.Contains(',', StringComparison.Ordinal)
        && target.SslMode?.ToLowerInvariant() is null or "disable" or "prefer";

    private async Task<Socket> ConnectAsync(CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(target.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(target.Host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            throw new NpgsqlException($"Failed to resolve {target.Host}", ex);
        }

        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, target.Port), cancellationToken).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw new NpgsqlException($"Failed to connect to {target.Host}:{target.Port}", last ?? new SocketException((int)SocketError.HostNotFound));
    }

    /// <summary>Startup, authentication, and the server's parameters up to ReadyForQuery; returns server_version and the backend's PID.</summary>
    private async Task<(string? Version, int? Pid)> LoginAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        if (target.SslMode?.ToLowerInvariant() is null or "prefer")
        {
            var request = new byte[8];
            BinaryPrimitives.WriteInt32BigEndian(request, 8);
            BinaryPrimitives.WriteInt32BigEndian(request.AsSpan(4), SslRequestCode);
            await WriteAsync(stream, request, cancellationToken).ConfigureAwait(false);
            var answer = new byte[1];
            await ReadExactlyAsync(stream, answer, cancellationToken).ConfigureAwait(false);
            if (answer[0] != 'N')
            {
                // 'S': the server speaks TLS, which Npgsql does here (and an 'E' is an old server's refusal).
                throw new NotCoveredException();
            }
        }

        await WriteAsync(stream, WireMessages.Startup(("user", target.User!), ("database", target.EffectiveDatabase), ("client_encoding", "UTF8"), ("application_name", ConnectionSettings.PgMedicApplicationName)), cancellationToken).ConfigureAwait(false);
        string? clientFirstBare = null;
        byte[]? saltedPassword = null, authMessage = null;
        while (true)
        {
            var (type, body) = await ReadMessageAsync(stream, cancellationToken).ConfigureAwait(false);
            if (type == 'N')
            {
                continue;
            }

            if (type != 'R')
            {
                throw Unexpected(type, body);
            }

            var code = BinaryPrimitives.ReadInt32BigEndian(body);
            switch (code)
            {
                case 0:
                    return await ReadUntilReadyAsync(stream, cancellationToken).ConfigureAwait(false);
                case 10 when target.Password is { } password && Mechanisms(body.AsSpan(4)).Contains(Mechanism) && password.All(char.IsAscii):
                    var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
                    clientFirstBare = "n=*,r=" + nonce;
                    var clientFirst = Encoding.UTF8.GetBytes("n,," + clientFirstBare);
                    var initial = new byte[Mechanism.Length + 1 + 4 + clientFirst.Length];
                    Encoding.ASCII.GetBytes(Mechanism, initial);
                    BinaryPrimitives.WriteInt32BigEndian(initial.AsSpan(Mechanism.Length + 1), clientFirst.Length);
                    clientFirst.CopyTo(initial, Mechanism.Length + 5);
                    await SendAsync(stream, 'p', initial, cancellationToken).ConfigureAwait(false);
                    break;
                case 11 when clientFirstBare is not null:
                    var serverFirst = Encoding.UTF8.GetString(body.AsSpan(4));
                    var (serverNonce, salt, iterations) = ParseServerFirst(serverFirst, clientFirstBare[6..]);
                    saltedPassword = SaltedPassword(salt, iterations);
                    var clientFinalWithoutProof = "c=biws,r=" + serverNonce;
                    authMessage = Encoding.UTF8.GetBytes($"{clientFirstBare},{serverFirst},{clientFinalWithoutProof}");
                    var clientKey = HMACSHA256.HashData(saltedPassword, "Client Key"u8);
                    var signature = HMACSHA256.HashData(SHA256.HashData(clientKey), authMessage);
                    for (var i = 0; i < clientKey.Length; i++)
                    {
                        clientKey[i] ^= signature[i];
                    }

                    await SendAsync(stream, 'p', Encoding.UTF8.GetBytes($"{clientFinalWithoutProof},p={Convert.ToBase64String(clientKey)}"), cancellationToken).ConfigureAwait(false);
                    break;
                case 12 when saltedPassword is not null && authMessage is not null:
                    // The server proves it knows the password too; one that cannot is left to Npgsql to report.
                    var expected = HMACSHA256.HashData(HMACSHA256.HashData(saltedPassword, "Server Key"u8), authMessage);
                    if (Encoding.UTF8.GetString(body.AsSpan(4)) != "v=" + Convert.ToBase64String(expected))
                    {
                        throw new NotCoveredException();
                    }

                    break;
                default:
                    // MD5, a password in clear, GSS, SSPI, or a SCRAM this does not speak: Npgsql's.
                    throw new NotCoveredException();
            }
        }
    }

    private byte[] SaltedPassword(string salt, int iterations)
    {
        if (_scram is { } kept && kept.Salt == salt && kept.Iterations == iterations)
        {
            return kept.SaltedPassword;
        }

        var derived = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(target.Password!), Convert.FromBase64String(salt), iterations, HashAlgorithmName.SHA256, 32);
        _scram = (salt, iterations, derived);
        Derivations++;
        return derived;
    }

    private static (string Nonce, string Salt, int Iterations) ParseServerFirst(string serverFirst, string clientNonce)
    {
        string? nonce = null, salt = null;
        var iterations = 0;
        foreach (var part in serverFirst.Split(','))
        {
            if (part.StartsWith("r=", StringComparison.Ordinal))
            {
                nonce = part[2..];
            }
            else if (part.StartsWith("s=", StringComparison.Ordinal))
            {
                salt = part[2..];
            }
            else if (part.StartsWith("i=", StringComparison.Ordinal))
            {
                _ = int.TryParse(part.AsSpan(2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out iterations);
            }
        }

        if (nonce is null || !nonce.StartsWith(clientNonce, StringComparison.Ordinal) || salt is null || iterations <= 0)
        {
            throw new NotCoveredException();
        }

        return (nonce, salt, iterations);
    }

    private static List<string> Mechanisms(ReadOnlySpan<byte> body)
    {
        var mechanisms = new List<string>();
        while (body.Length > 0 && body[0] != 0)
        {
            var end = body.IndexOf((byte)0);
            if (end < 0)
            {
                break;
            }

            mechanisms.Add(Encoding.ASCII.GetString(body[..end]));
            body = body[(end + 1)..];
        }

        return mechanisms;
    }

    /// <summary>Reads ParameterStatus, BackendKeyData, notices, a query's rows, up to ReadyForQuery; returns server_version and the backend's PID if they came.</summary>
    private static async Task<(string? Version, int? Pid)> ReadUntilReadyAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        string? version = null;
        int? pid = null;
        while (true)
        {
            var (type, body) = await ReadMessageAsync(stream, cancellationToken).ConfigureAwait(false);
            switch (type)
            {
                case 'Z':
                    return (version, pid);
                case 'S':
                    if (WireMessages.ParameterStatus(body) is ("server_version", var value))
                    {
                        version = value;
                    }

                    break;
                case 'K':
                    pid = BinaryPrimitives.ReadInt32BigEndian(body);
                    break;
                case 'N' or 'T' or 'D' or 'C' or 'I':
                    break;
                default:
                    throw Unexpected(type, body);
            }
        }
    }

    /// <summary>An ErrorResponse as Npgsql raises it; anything else this does not expect leaves the target to Npgsql.</summary>
    private static Exception Unexpected(char type, byte[] body)
    {
        if (type != 'E')
        {
            return new NotCoveredException();
        }

        string severity = "FATAL", invariant = "FATAL", sqlState = "", message = "";
        var at = 0;
        while (at < body.Length && body[at] != 0)
        {
            var field = (char)body[at];
            var end = Array.IndexOf(body, (byte)0, at + 1);
            if (end < 0)
            {
                break;
            }

            var value = Encoding.UTF8.GetString(body, at + 1, end - at - 1);
            switch (field)
            {
                case 'S': severity = value; break;
                case 'V': invariant = value; break;
                case 'C': sqlState = value; break;
                case 'M': message = value; break;
            }

            at = end + 1;
        }

        return new PostgresException(message, severity, invariant, sqlState);
    }

    private static Task SendAsync(NetworkStream stream, char type, byte[] body, CancellationToken cancellationToken)
    {
        var message = new byte[5 + body.Length];
        message[0] = (byte)type;
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(1), 4 + body.Length);
        body.CopyTo(message, 5);
        return WriteAsync(stream, message, cancellationToken);
    }

    private static async Task WriteAsync(NetworkStream stream, byte[] bytes, CancellationToken cancellationToken)
    {
        try
        {
            await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new NpgsqlException("Exception while writing to stream", ex);
        }
    }

    private static async Task<(char Type, byte[] Body)> ReadMessageAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var header = new byte[5];
        await ReadExactlyAsync(stream, header, cancellationToken).ConfigureAwait(false);
        var length = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1)) - 4;
        if (length is < 0 or > 1 << 20)
        {
            throw new NotCoveredException();
        }

        var body = new byte[length];
        await ReadExactlyAsync(stream, body, cancellationToken).ConfigureAwait(false);
        return ((char)header[0], body);
    }

    private static async Task ReadExactlyAsync(NetworkStream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException)
        {
            // EndOfStreamException is an IOException: a server that closed the connection, as Npgsql reports it.
            throw new NpgsqlException("Exception while reading from stream", ex);
        }
    }

    /// <summary>The target or its server needs something only Npgsql speaks here.</summary>
    private sealed class NotCoveredException : Exception;
}
