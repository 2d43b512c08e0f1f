using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace PgMedic.Testing;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of a server, for network faults a real client meets: latency on
/// every chunk each way, a slow first answer (a slow connect), a stall on one query, and connections
/// cut mid-stream — when the client sends a given text (its query reaches the server, the answer never
/// comes back), or all at once on command. A cut is a reset (linger 0), as a dead middlebox gives.
/// </summary>
public sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, Pair> _open = new();
    private readonly List<(string Text, TimeSpan Delay)> _stalls = [];
    private readonly Lock _gate = new();
    private readonly Task _accepting;
    private string? _dropOn;
    private int _dropsLeft;
    private int _next;
    private int _accepted;
    private int _dropped;
    private int _stalled;

    private TcpFaultProxy(int upstreamPort)
    {
        _upstreamPort = upstreamPort;
        _listener.Start();
        _accepting = AcceptLoopAsync();
    }

    /// <summary>The port clients connect to instead of the server's.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Added to every chunk in each direction (a round trip costs twice this), without limiting throughput.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>How long each new connection's first bytes are held before the server sees them: a connect this much slower.</summary>
    public TimeSpan ConnectDelay { get; set; }

    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Chunks held by a <see cref="Stall"/> so far: the stalled query is on its way.</summary>
    public int Stalled => Volatile.Read(ref _stalled);

    /// <summary>Connections cut so far, by <see cref="DropWhenClientSends"/> or <see cref="DropAll"/>.</summary>
    public int Dropped => Volatile.Read(ref _dropped);

    public static TcpFaultProxy Start(int upstreamPort) => new(upstreamPort);

    /// <summary>A chunk from the client holding <paramref name="text"/> (a query's own words) is held this long before the server sees it.</summary>
    public void Stall(string text, TimeSpan delay)
    {
        lock (_gate)
        {
            _stalls.Add((text, delay));
        }
    }

    /// <summary>
    /// Cuts the connection whose client sends <paramref name="text"/>: the chunk reaches the server (the query
    /// runs), then both sides are reset before any answer comes back. Armed for <paramref name="times"/> cuts.
    /// </summary>
    public void DropWhenClientSends(string text, int times = int.MaxValue)
    {
        lock (_gate)
        {
            (_dropOn, _dropsLeft) = (text, times);
        }
    }

    public void Disarm()
    {
        lock (_gate)
        {
            (_dropOn, _dropsLeft) = (null, 0);
            _stalls.Clear();
        }
    }

    /// <summary>Cuts every open connection now.</summary>
    public void DropAll()
    {
        foreach (var pair in _open.Values)
        {
            Cut(pair);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var pair in _open.Values)
        {
            pair.Close();
        }

        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            _ = RunPairAsync(client);
        }
    }

    private async Task RunPairAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var pair = new Pair(Interlocked.Increment(ref _next), client, server);
        _open[pair.Id] = pair;
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _upstreamPort, _stop.Token);
            await Task.WhenAll(
                PumpAsync(pair, client, server, fromClient: true),
                PumpAsync(pair, server, client, fromClient: false));
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The server refused, or the proxy stopped: the client sees its connection closed.
        }
        finally
        {
            _open.TryRemove(pair.Id, out _);
            pair.Close();
        }
    }

    /// <summary>Reads chunks from one side and writes each to the other when its latency has passed, in order.</summary>
    private async Task PumpAsync(Pair pair, Socket from, Socket to, bool fromClient)
    {
        var queue = Channel.CreateUnbounded<(byte[] Data, long Due, bool CutAfter)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var writing = WriteLoopAsync(pair, queue.Reader, to, toClient: !fromClient);
        var buffer = new byte[16 * 1024];
        var tail = string.Empty;
        var first = true;
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                var data = buffer.AsSpan(0, read).ToArray();
                var delay = Latency;
                var cut = false;
                if (fromClient)
                {
                    // Latin-1 keeps one char per byte, so a text split across two chunks is still found.
                    var seen = tail + Encoding.Latin1.GetString(data);
                    (var stall, cut) = Match(seen, tail.Length);
                    tail = seen.Length > 256 ? seen[^256..] : seen;
                    delay += stall + (first ? ConnectDelay : TimeSpan.Zero);
                    first = false;
                }

                if (cut)
                {
                    // From now on the client hears nothing more: the answer to this query is never delivered.
                    pair.Silence();
                }

                queue.Writer.TryWrite((data, Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency), cut));
                if (cut)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Cut or closed.
        }

        queue.Writer.TryComplete();
        await writing;
    }

    private async Task WriteLoopAsync(Pair pair, ChannelReader<(byte[] Data, long Due, bool CutAfter)> queue, Socket to, bool toClient)
    {
        try
        {
            await foreach (var (data, due, cutAfter) in queue.ReadAllAsync(_stop.Token))
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _stop.Token);
                }

                if (toClient && pair.Silenced)
                {
                    continue;
                }

                await to.SendAsync(data, SocketFlags.None, _stop.Token);
                if (cutAfter)
                {
                    // Let the server read the query before the reset reaches it.
                    await Task.Delay(50, _stop.Token);
                    Cut(pair);
                    return;
                }
            }

            // The other side closed: pass the close on.
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Cut or closed.
        }
    }

    /// <summary>What the new bytes (after the first <paramref name="old"/> chars of <paramref name="seen"/>) complete: a stall, a cut.</summary>
    private (TimeSpan Stall, bool Cut) Match(string seen, int old)
    {
        bool Ends(string text) => seen.IndexOf(text, Math.Max(0, old - text.Length + 1), StringComparison.Ordinal) >= 0;
        lock (_gate)
        {
            var stall = _stalls.Where(s => Ends(s.Text)).Select(s => s.Delay).DefaultIfEmpty(TimeSpan.Zero).Max();
            if (stall > TimeSpan.Zero)
            {
                Interlocked.Increment(ref _stalled);
            }

            if (_dropOn is not null && _dropsLeft > 0 && Ends(_dropOn))
            {
                _dropsLeft--;
                return (stall, true);
            }

            return (stall, false);
        }
    }

    private void Cut(Pair pair)
    {
        if (pair.Cut())
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    private sealed class Pair(int id, Socket client, Socket server)
    {
        private int _cut;
        private volatile bool _silenced;

        public int Id { get; } = id;

        /// <summary>Nothing more is passed to the client (a cut is coming).</summary>
        public bool Silenced => _silenced;

        public void Silence() => _silenced = true;

        /// <summary>Resets both sides; true the first time.</summary>
        public bool Cut()
        {
            if (Interlocked.Exchange(ref _cut, 1) == 1)
            {
                return false;
            }

            foreach (var socket in new[] { client, server })
            {
                try
                {
                    socket.LingerState = new LingerOption(true, 0);
                    socket.Close();
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    // Already gone.
                }
            }

            return true;
        }

        public void Close()
        {
            client.Dispose();
            server.Dispose();
        }
    }
}
