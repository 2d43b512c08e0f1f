namespace PgMedic.Postgres.Sandbox;

/// <summary>The sandbox could not be started or stopped. The message is one line and says what to do.</summary>
public sealed class SandboxException : Exception
{
    public SandboxException(string message)
        : base(message)
    {
    }

    public SandboxException()
    {
    }

    public SandboxException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
