using PgMedic.Core.Common;

namespace PgMedic.Cli.Common;

/// <summary>A command could not go on: one line on stderr and the given exit code (Critical = could not reach the server).</summary>
internal sealed class CommandExitException : Exception
{
    public CommandExitException(ExitCode exitCode, string message)
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

    public ExitCode ExitCode { get; } = ExitCode.Critical;
}
