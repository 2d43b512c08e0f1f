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
            try
            {
                return (Math.Max(20, Console.WindowWidth), Math.Max(5, Console.WindowHeight));
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
