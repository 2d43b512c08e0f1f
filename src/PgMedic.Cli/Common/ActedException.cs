namespace PgMedic.Cli.Common;

/// <summary>
/// Something unexpected failed after a command had already acted (sessions signalled, a hook run): exit 2,
/// one line saying what was done, because "nothing happened" (exit 3) would be untrue.
/// </summary>
internal sealed class ActedException : Exception
{
    public ActedException(string done, Exception innerException)
        : base(done, innerException)
    {
    }

    public ActedException()
    {
    }

    public ActedException(string message)
        : base(message)
    {
    }
}
