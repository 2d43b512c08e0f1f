namespace PgMedic.Guard.Configuration;

/// <summary>
/// When a checkout captures a full stack trace. The call site (file, line, member) is always recorded
/// for free; a stack trace costs a stack walk, so it is off unless asked for.
/// </summary>
public enum StackTraceMode
{
    /// <summary>Call site only.</summary>
    Off,

    /// <summary>One checkout in <see cref="GuardOptions.StackTraceSampleRate"/> captures a stack trace.</summary>
    Sampled,

    /// <summary>Every checkout captures a stack trace (HikariCP's behaviour; measurable cost).</summary>
    All,
}
