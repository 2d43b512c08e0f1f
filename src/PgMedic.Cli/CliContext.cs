namespace PgMedic.Cli;

/// <summary>What a command may touch of the outside world, so tests can run commands in-process.</summary>
internal sealed record CliContext(
    TextWriter Out,
    TextWriter Error,
    Func<string, string?> Environment,
    string? HomeDirectory,
    bool IsTerminal,
    TimeProvider Time)
{
    /// <summary>Where a confirmation is read from; null when nobody can answer (CI, pipes), which means dry run.</summary>
    public TextReader? Input { get; init; }

    /// <summary>
    /// The columns to lay tables out for. Null means the terminal's own width when the output is one, and no
    /// limit when it is piped, so that piped output keeps full values; tests set it to render as on a terminal.
    /// </summary>
    public int? Width { get; init; }

    /// <summary>The rows of the terminal a live view redraws in; null means the terminal's own height.</summary>
    public int? Height { get; init; }

    /// <summary>Whether standard error is a terminal: a live view written there (beside JSON on standard output) redraws in place.</summary>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>Standard input, for commands that read a stream (<c>pgmedic logs</c> with no file).</summary>
    public Func<Stream> OpenInput { get; init; } = Console.OpenStandardInput;

    /// <summary>Where a local server's socket is looked for when no host is given; null for libpq's usual places (tests point it at a sandbox).</summary>
    public IReadOnlyList<string>? SocketDirectories { get; init; }

    public static CliContext FromProcess() => new(
        Console.Out,
        Console.Error,
        System.Environment.GetEnvironmentVariable,
        System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile),
        !Console.IsOutputRedirected,
        TimeProvider.System)
    {
        Input = Console.IsInputRedirected || Console.IsOutputRedirected ? null : Console.In,
        ErrorIsTerminal = !Console.IsErrorRedirected,
    };
}
