namespace PgMedic.Postgres.PgBouncer;

/// <summary>PgBouncer's admin console could not be reached or refused a command. The message is one line and never holds a password.</summary>
public sealed class PgBouncerException : Exception
{
    public PgBouncerException(string message)
        : base(message)
    {
    }

    public PgBouncerException()
    {
    }

    public PgBouncerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The SQLSTATE PgBouncer sent, when it sent one.</summary>
    public string? SqlState { get; init; }
}
