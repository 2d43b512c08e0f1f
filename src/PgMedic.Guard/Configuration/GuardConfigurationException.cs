namespace PgMedic.Guard.Configuration;

/// <summary>The guard's settings are invalid. The message lists every problem; no password is ever in it.</summary>
public sealed class GuardConfigurationException : Exception
{
    /// <summary>Settings with these problems, one sentence each.</summary>
    /// <param name="errors">Every problem found; none may hold a password.</param>
    public GuardConfigurationException(IReadOnlyList<string> errors)
        : base("PgMedic.Guard settings are invalid: " + string.Join("; ", errors ?? []))
    {
        Errors = errors ?? [];
    }

    /// <summary>Invalid settings with no problem listed.</summary>
    public GuardConfigurationException()
        : this([])
    {
    }

    /// <summary>Invalid settings with one problem.</summary>
    /// <param name="message">The problem; also the only entry of <see cref="Errors"/>.</param>
    public GuardConfigurationException(string message)
        : base(message)
    {
        Errors = [message];
    }

    /// <summary>Invalid settings with one problem and what caused it.</summary>
    /// <param name="message">The problem; also the only entry of <see cref="Errors"/>.</param>
    /// <param name="innerException">The error that revealed the problem.</param>
    public GuardConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    /// <summary>Each problem, one sentence each.</summary>
    public IReadOnlyList<string> Errors { get; }
}
