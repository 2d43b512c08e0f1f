using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace PgMedic.Cli.Top;

/// <summary>What woke the console up: a key, or the terminal was resized.</summary>
internal readonly record struct TerminalInput(ConsoleKeyInfo? Key, bool Resized);

/// <summary>The screen and keyboard <c>top</c> runs on.</summary>
internal interface ITopTerminal
{
    /// <summary>Waits for a key or a resize, at most <paramref name="timeout"/> (null: no limit); null when the time ran out.</summary>
    Task<TerminalInput?> NextAsync(TimeSpan? timeout, CancellationToken cancellationToken);

    (int Width, int Height) Size { get; }

    void Draw(TopScreen screen, int width, int height);
}

/// <summary>
/// The process's own terminal: the alternate screen for the session, restored on dispose. Keys are read by a
/// thread that blocks on the keyboard and resizes arrive as SIGWINCH, so waiting between refreshes costs no
/// CPU (a poll every few milliseconds cost more than a refresh at 500 connections).
/// </summary>
internal sealed class ConsoleTerminal : ITopTerminal, IDisposable
{
    private readonly ScreenWriter _writer;
    private readonly Channel<TerminalInput> _input = Channel.CreateUnbounded<TerminalInput>(new UnboundedChannelOptions { SingleReader = true });
    private readonly PosixSignalRegistration? _resize;

    public ConsoleTerminal()
    {
        _writer = new ScreenWriter(Console.OpenStandardOutput());
        Console.TreatControlCAsInput = false;
        _writer.Enter();
        var reader = new Thread(ReadKeys) { IsBackground = true, Name = "pgmedic top keys" };
        reader.Start();
        if (!OperatingSystem.IsWindows())
        {
            _resize = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => _input.Writer.TryWrite(new TerminalInput(null, Resized: true)));
        }
    }

    public (int Width, int Height) Size
    {
        get
        {
            // A pseudo-terminal nobody sized (script(1) without a terminal of its own) reports 0×0: lay out for 80×24.
            try
            {
                var (width, height) = (Console.WindowWidth, Console.WindowHeight);
                return width <= 0 || height <= 0 ? (80, 24) : (Math.Max(20, width), Math.Max(5, height));
            }
            catch (IOException)
            {
                return (80, 24);
            }
        }
    }

    public async Task<TerminalInput?> NextAsync(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (_input.Reader.TryRead(out var ready))
        {
            return ready;
        }

        if (timeout is { } limit && limit <= TimeSpan.Zero)
        {
            return null;
        }

        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } after)
        {
            wait.CancelAfter(after);
        }

        try
        {
            return await _input.Reader.ReadAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    public void Draw(TopScreen screen, int width, int height) => _writer.Draw(screen, width, height);

    public void Dispose()
    {
        _resize?.Dispose();
        _writer.Dispose();
    }

    private void ReadKeys()
    {
        try
        {
            while (true)
            {
                _input.Writer.TryWrite(new TerminalInput(Console.ReadKey(intercept: true), Resized: false));
            }
        }
        catch (InvalidOperationException)
        {
            // No keyboard (input redirected): the view still refreshes; Ctrl+C ends it.
        }
    }
}
