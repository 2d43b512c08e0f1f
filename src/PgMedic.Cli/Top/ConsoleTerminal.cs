namespace PgMedic.Cli.Top;

/// <summary>The screen and keyboard <c>top</c> runs on.</summary>
internal interface ITopTerminal
{
    /// <summary>A key if one was pressed, else null at once.</summary>
    ConsoleKeyInfo? ReadKey();

    (int Width, int Height) Size { get; }

    void Draw(TopScreen screen, int width, int height);
}

/// <summary>The process's own terminal: the alternate screen for the session, restored on dispose.</summary>
internal sealed class ConsoleTerminal : ITopTerminal, IDisposable
{
    private readonly ScreenWriter _writer;

    public ConsoleTerminal()
    {
        _writer = new ScreenWriter(Console.OpenStandardOutput());
        Console.TreatControlCAsInput = false;
        _writer.Enter();
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

    public ConsoleKeyInfo? ReadKey() => Console.KeyAvailable ? Console.ReadKey(intercept: true) : null;

    public void Draw(TopScreen screen, int width, int height) => _writer.Draw(screen, width, height);

    public void Dispose() => _writer.Dispose();
}
