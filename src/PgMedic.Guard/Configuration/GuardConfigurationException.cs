namespace PgMedic.Guard.Configuration;

/// <summary>The guard's settings are invalid. The message lists every problem; no password is ever in it.</summary>
public sealed class GuardConfigurationException : Exception
{
    public GuardConfigurationException(IReadOnlyList<string> errors)
        : base("PgMedic.Guard settings are invalid: " + string.Join("; ", errors ?? []))
    {
        Errors = errors ?? [];
    }

    public GuardConfigurationException()
        : this([])
    {
    }

    public GuardConfigurationException(string message)
        : base(message)
    {
        Errors = [message];
    }

    public GuardConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    /// <summary>Each problem, one sentence each.</summary>
    public IReadOnlyList<string> Errors { get; }
}
