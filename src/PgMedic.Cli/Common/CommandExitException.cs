namespace PgMedic.Cli.Common;

/// <summary>A command could not go on: one line on stderr and the given exit code (2 = could not reach the server).</summary>
internal sealed class CommandExitException : Exception
{
    public CommandExitException(int exitCode, string message)
        : base(message) => ExitCode = exitCode;

    public CommandExitException()
    {
    }

    public CommandExitException(string message)
        : base(message)
    {
    }

    public CommandExitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int ExitCode { get; } = 2;
}
