namespace PgMedic.Cli.Common;

/// <summary>Bad input found after parsing: printed as one line, exit code 3, nothing done.</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException()
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
