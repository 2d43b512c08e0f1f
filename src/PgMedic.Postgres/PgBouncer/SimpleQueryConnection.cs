using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using PgMedic.Postgres.Targets;

using PgMedic.Postgres.Wire;

namespace PgMedic.Postgres.PgBouncer;

/// <summary>The rows of one simple query, every value as text (the admin console sends text only).</summary>
internal sealed record SimpleQueryResult(IReadOnlyList<string> Columns, IReadOnlyList<string?[]> Rows)
{
    public IEnumerable<SimpleRow> Records => Rows.Select(r => new SimpleRow(this, r));
}

internal readonly record struct SimpleRow(SimpleQueryResult Result, string?[] Values)
{
    public string? this[string column]
    {
        get
        {
            for (var i = 0; i < Result.Columns.Count && i < Values.Length; i++)
            {
                if (Result.Columns[i] == column)
                {
                    return Values[i];
                }
            }

            return null;
        }
    }
}

/// <summary>
/// A minimal PostgreSQL wire-protocol client that speaks only the simple query protocol, for
/// PgBouncer's admin console: it rejects the extended protocol that Npgsql always uses
/// ("extended query protocol not supported by admin console"; npgsql#3294). Authenticates with
/// cleartext, md5 or SCRAM-SHA-256; no TLS.
/// </summary>
internal sealed class SimpleQueryConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly TimeSpan _timeout;
    private readonly string? _password;

    private SimpleQueryConnection(Socket socket, TimeSpan timeout, string? password)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _timeout = timeout;
        _password = password;
    }

    public string? ServerVersion { get; private set; }

    /// <exception cref="PgBouncerException">Could not connect or log in; the message says why.</exception>
    public static async Task<SimpleQueryConnection> OpenAsync(ConnectionTarget target, string database, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.SslMode?.ToLowerInvariant() is "require" or "verify-ca" or "verify-full")
        {
            throw new PgBouncerException($"sslmode={target.SslMode} is not supported for PgBouncer's admin console; connect with sslmode=disable or prefer");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        Socket socket;
        EndPoint endPoint;
        if (target.Host.StartsWith('/'))
        {
            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            endPoint = new UnixDomainSocketEndPoint(Path.Combine(target.Host, $".s.PGSQL.{target.Port}"));
        }
        else
        {
            socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            endPoint = new DnsEndPoint(target.Host, target.Port);
        }

        try
        {
            await socket.ConnectAsync(endPoint, deadline.Token).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new PgBouncerException($"could not connect to {target.Masked}: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new PgBouncerException($"no answer from {target.Masked} within {timeout.TotalSeconds:0.###} s");
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var connection = new SimpleQueryConnection(socket, timeout, target.Password);
        try
        {
            await connection.StartupAsync(target.User ?? Environment.UserName, database, deadline.Token).ConfigureAwait(false);
            return connection;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new PgBouncerException($"no answer from {target.Masked} within {timeout.TotalSeconds:0.###} s");
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <exception cref="PgBouncerException">The command failed or the connection broke.</exception>
    public async Task<SimpleQueryResult> QueryAsync(string sql, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sql);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        try
        {
            await SendAsync((byte)'Q', WireMessages.Cstring(sql), deadline.Token).ConfigureAwait(false);
            var columns = new List<string>();
            var rows = new List<string?[]>();
            PgBouncerException? error = null;
            while (true)
            {
                var (type, body) = await ReadMessageAsync(deadline.Token).ConfigureAwait(false);
                switch (type)
                {
                    case (byte)'T':
                        columns.Clear();
                        columns.AddRange(ReadRowDescription(body));
                        break;
                    case (byte)'D':
                        rows.Add(ReadDataRow(body));
                        break;
                    case (byte)'E':
                        error = ErrorFrom(body);
                        break;
                    case (byte)'Z':
                        return error is null ? new SimpleQueryResult(columns, rows) : throw error;
                    default:
                        // C (command complete), N (notice), S (parameter status), I (empty query): nothing to keep.
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PgBouncerException($"'{sql}' got no answer within {_timeout.TotalSeconds:0.###} s");
        }
        catch (IOException e)
        {
            throw new PgBouncerException($"the connection broke during '{sql}': {e.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.Connected)
            {
                using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await SendAsync((byte)'X', [], cancel.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Closing anyway.
        }

        await _stream.DisposeAsync().ConfigureAwait(false);
    }

    private async Task StartupAsync(string user, string database, CancellationToken cancellationToken)
    {
        var startup = WireMessages.Startup(("user", user), ("database", database), ("application_name", "pgmedic"));
        try
        {
            await _stream.WriteAsync(startup, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new PgBouncerException($"the connection broke during start-up: {e.Message}");
        }

        Scram? scram = null;
        while (true)
        {
            byte type;
            byte[] body;
            try
            {
                (type, body) = await ReadMessageAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new PgBouncerException($"the connection broke during login: {e.Message}");
            }

            switch (type)
            {
                case (byte)'R':
                    scram = await AuthenticateAsync(body, user, scram, cancellationToken).ConfigureAwait(false);
                    break;
                case (byte)'E':
                    throw ErrorFrom(body);
                case (byte)'S':
                    var (name, value) = WireMessages.ParameterStatus(body);
                    if (name == "server_version")
                    {
                        ServerVersion = value;
                    }

                    break;
                case (byte)'Z':
                    return;
                default:
                    break;
            }
        }
    }

    private async Task<Scram?> AuthenticateAsync(byte[] body, string user, Scram? scram, CancellationToken cancellationToken)
    {
        var code = BinaryPrimitives.ReadInt32BigEndian(body);
        switch (code)
        {
            case 0:
                return scram;
            case 3:
                await SendAsync((byte)'p', WireMessages.Cstring(RequirePassword()), cancellationToken).ConfigureAwait(false);
                return scram;
            case 5:
                await SendAsync((byte)'p', WireMessages.Cstring(Md5Password(user, RequirePassword(), body.AsSpan(4, 4))), cancellationToken).ConfigureAwait(false);
                return scram;
            case 10:
                var mechanisms = Encoding.UTF8.GetString(body, 4, body.Length - 4).Split('\0', StringSplitOptions.RemoveEmptyEntries);
                if (!mechanisms.Contains("SCRAM-SHA-256"))
                {
                    throw new PgBouncerException($"the server offers only {string.Join(", ", mechanisms)}; PgMedic speaks SCRAM-SHA-256");
                }

                scram = new Scram(RequirePassword());
                var first = Encoding.UTF8.GetBytes(scram.ClientFirst);
                var initial = new List<byte>(WireMessages.Cstring("SCRAM-SHA-256"));
                var length = new byte[4];
                BinaryPrimitives.WriteInt32BigEndian(length, first.Length);
                initial.AddRange(length);
                initial.AddRange(first);
                await SendAsync((byte)'p', [.. initial], cancellationToken).ConfigureAwait(false);
                return scram;
            case 11:
                var final = scram?.ClientFinal(Encoding.UTF8.GetString(body, 4, body.Length - 4)) ?? throw new PgBouncerException("SCRAM continue without a start");
                await SendAsync((byte)'p', Encoding.UTF8.GetBytes(final), cancellationToken).ConfigureAwait(false);
                return scram;
            case 12:
                if (scram is null || !scram.VerifyServer(Encoding.UTF8.GetString(body, 4, body.Length - 4)))
                {
                    throw new PgBouncerException("the server's SCRAM signature did not verify: not the server we meant to reach");
                }

                return scram;
            default:
                throw new PgBouncerException($"authentication method {code} is not supported for the admin console (use md5, scram-sha-256 or plain)");
        }
    }

    private string RequirePassword() => _password ?? throw new PgBouncerException("the admin console asks for a password and none was given (URL, PGPASSWORD or ~/.pgpass)");

    private async Task SendAsync(byte type, byte[] payload, CancellationToken cancellationToken)
    {
        var message = new byte[5 + payload.Length];
        message[0] = type;
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(1), 4 + payload.Length);
        payload.CopyTo(message, 5);
        await _stream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
    }

    private async Task<(byte Type, byte[] Body)> ReadMessageAsync(CancellationToken cancellationToken)
    {
        var header = new byte[5];
        await _stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        var length = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1));
        if (length is < 4 or > (64 * 1024 * 1024))
        {
            throw new PgBouncerException($"not a PostgreSQL protocol message (length {length}): is this PgBouncer?");
        }

        var body = new byte[length - 4];
        await _stream.ReadExactlyAsync(body, cancellationToken).ConfigureAwait(false);
        return (header[0], body);
    }

    private static List<string> ReadRowDescription(byte[] body)
    {
        var count = BinaryPrimitives.ReadInt16BigEndian(body);
        var names = new List<string>(count);
        var pos = 2;
        for (var i = 0; i < count; i++)
        {
            var end = Array.IndexOf(body, (byte)0, pos);
            names.Add(Encoding.UTF8.GetString(body, pos, end - pos));
            pos = end + 1 + 18;
        }

        return names;
    }

    private static string?[] ReadDataRow(byte[] body)
    {
        var count = BinaryPrimitives.ReadInt16BigEndian(body);
        var values = new string?[count];
        var pos = 2;
        for (var i = 0; i < count; i++)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(pos));
            pos += 4;
            if (length >= 0)
            {
                values[i] = Encoding.UTF8.GetString(body, pos, length);
                pos += length;
            }
        }

        return values;
    }

    private PgBouncerException ErrorFrom(byte[] body)
    {
        string? code = null;
        var message = "error";
        var pos = 0;
        while (pos < body.Length && body[pos] != 0)
        {
            var field = (char)body[pos];
            var end = Array.IndexOf(body, (byte)0, pos + 1);
            var value = Encoding.UTF8.GetString(body, pos + 1, end - pos - 1);
            if (field == 'C')
            {
                code = value;
            }
            else if (field == 'M')
            {
                message = value;
            }

            pos = end + 1;
        }

        var safe = string.IsNullOrEmpty(_password) ? message : message.Replace(_password, "***", StringComparison.Ordinal);
        return new PgBouncerException(safe.ReplaceLineEndings(" ")) { SqlState = code };
    }

    // The protocol's md5 method: "md5" + md5(md5(password + user) + salt). Required to log in to
    // servers configured with auth_type=md5; not used to protect anything PgMedic stores.
#pragma warning disable CA5351
    private static string Md5Password(string user, string password, ReadOnlySpan<byte> salt)
    {
        var inner = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(password + user)));
        var outer = MD5.HashData([.. Encoding.ASCII.GetBytes(inner), .. salt]);
        return "md5" + Convert.ToHexStringLower(outer);
    }
#pragma warning restore CA5351

    /// <summary>SCRAM-SHA-256 (RFC 5802/7677) as PostgreSQL and PgBouncer use it: no channel binding, empty user name.</summary>
    private sealed class Scram(string password)
    {
        private readonly string _clientNonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        private byte[]? _saltedPassword;
        private string? _authMessage;

        public string ClientFirst => "n,," + ClientFirstBare;

        private string ClientFirstBare => "n=,r=" + _clientNonce;

        public string ClientFinal(string serverFirst)
        {
            var fields = serverFirst.Split(',').Where(f => f.Length > 2 && f[1] == '=').ToDictionary(f => f[0], f => f[2..]);
            if (!fields.TryGetValue('r', out var nonce) || !nonce.StartsWith(_clientNonce, StringComparison.Ordinal)
                || !fields.TryGetValue('s', out var salt) || !fields.TryGetValue('i', out var iterationsText)
                || !int.TryParse(iterationsText, System.Globalization.CultureInfo.InvariantCulture, out var iterations))
            {
                throw new PgBouncerException("the server's SCRAM challenge was malformed");
            }

            _saltedPassword = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Convert.FromBase64String(salt), iterations, HashAlgorithmName.SHA256, 32);
            var clientKey = HMACSHA256.HashData(_saltedPassword, "Client Key"u8);
            var storedKey = SHA256.HashData(clientKey);
            var withoutProof = "c=biws,r=" + nonce;
            _authMessage = ClientFirstBare + "," + serverFirst + "," + withoutProof;
            var signature = HMACSHA256.HashData(storedKey, Encoding.UTF8.GetBytes(_authMessage));
            var proof = new byte[clientKey.Length];
            for (var i = 0; i < proof.Length; i++)
            {
                proof[i] = (byte)(clientKey[i] ^ signature[i]);
            }

            return withoutProof + ",p=" + Convert.ToBase64String(proof);
        }

        public bool VerifyServer(string serverFinal)
        {
            if (_saltedPassword is null || _authMessage is null || !serverFinal.StartsWith("v=", StringComparison.Ordinal))
            {
                return false;
            }

            var serverKey = HMACSHA256.HashData(_saltedPassword, "Server Key"u8);
            var expected = HMACSHA256.HashData(serverKey, Encoding.UTF8.GetBytes(_authMessage));
            var given = serverFinal[2..].Split(',')[0];
            return CryptographicOperations.FixedTimeEquals(expected, Convert.FromBase64String(given));
        }
    }
}
