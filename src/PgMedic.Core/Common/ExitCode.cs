namespace PgMedic.Core.Common;

/// <summary>Nagios-compatible exit codes shared by every command.</summary>
public enum ExitCode
{
    Ok = 0,
    Warning = 1,
    Critical = 2,

    /// <summary>Bad input, or PgMedic could not even try.</summary>
    Unknown = 3,
}
